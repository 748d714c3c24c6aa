// @serial — a simulated gate with the face engine plus headless Chromium: heavy on two cores.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import * as assert from 'uvu/assert';
import type { SimulatedCamera } from '../../drivers/camera/twin.ts';
import type { SimulatedScanner } from '../../drivers/scanner/twin.ts';
import { GateControl } from '../../kiosk/control.ts';
import { GUIDANCE, MESSAGES, TOKEN_REASONS, type Screen } from '../../kiosk/display/messages.ts';
import { startDisplayServer, type DisplayServer } from '../../kiosk/display/server.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { scenarioSchema } from '../../scripts/sim/scenario.ts';
import { startSimulation, type Simulation } from '../../scripts/sim/simulation.ts';
import { presentationFor } from '../../scripts/sim/tokens-for.ts';
import { cameraView } from '../../scripts/sim/world.ts';
import { CHROMIUM, VIEWPORTS, expectShown, waitConnected, launchChromium, openDisplay, type DisplayPage } from './browser.ts';
import { peerSuite } from '../helpers/suite.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FACES = join(ROOT, 'fixtures', 'faces');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One enrolled traveller; the test plays them (and a follower, and a photo) by hand. */
const SCENARIO = scenarioSchema.parse({
  profile: 'pedestrian',
  // A refusal stays up 15 s, not 4: at load 30 checking and photographing three viewports one after
  // another outlasted 4 s and the page had moved back to idle (the timer is the gate's, in real time).
  timings: { healthyBeforeServiceMs: 300, refusalDisplayMs: 15000, entryTimeoutMs: 20000, tailgateResolveMs: 30000, tailgateSettleMs: 300, faceBudgetMs: 8000 },
  travellers: [{ name: 'Wong Siu-ling', reference: ['person02-42.jpg'], live: ['person02-44.jpg'] }],
});

interface Ctx {
  sim: Simulation;
  control: GateControl;
  display: DisplayServer;
  port: number;
  browser: Browser;
  pages: DisplayPage[];
}

const t = peerSuite<Ctx>('display: traveller page in headless Chromium, following a simulated gate', ['socat', CHROMIUM]);

t.before(async (ctx) => {
  ctx.sim = await startSimulation(SCENARIO, { photosDir: FACES, spoofPhoto: join(FACES, 'spoof-screen-person01-1.jpg'), log: silentLogger() });
  ctx.control = new GateControl(ctx.sim.gate);
  ctx.display = await startDisplayServer(ctx.control, { host: '127.0.0.1', port: 0, log: silentLogger(), heartbeatMs: 1000, retryMs: 300 });
  ctx.port = Number(new URL(ctx.display.url).port);
  ctx.browser = await launchChromium();
  ctx.pages = [];
  for (const v of VIEWPORTS) ctx.pages.push(await openDisplay(ctx.browser, ctx.display.url, v));
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.display?.stop();
  await ctx.sim?.close();
});

/** The gate's own screen now: what every page must show. */
function current(ctx: Ctx): Screen {
  const s = ctx.control.screen();
  if (!s) throw new Error('the gate has published no screen');
  return s;
}

async function expectAll(ctx: Ctx, id: string, shot: string): Promise<void> {
  await waitFor(() => ctx.control.screen()?.screen === id, `gate screen ${id} (now ${ctx.control.screen()?.screen})`);
  const s = current(ctx);
  // All viewports at once: a transient screen is on for a bounded time only.
  await Promise.all(ctx.pages.map((p) => expectShown(p, s, shot)));
}

async function waitFor(fn: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A frame with the traveller far from the camera: the face is too small to verify. */
async function farAway(file: string, width: number, height: number) {
  const small = await sharp(file).rotate().resize({ height: Math.round(height / 2) }).toBuffer();
  const { data, info } = await sharp({ create: { width, height, channels: 3, background: { r: 96, g: 96, b: 96 } } })
    .composite([{ input: small, gravity: 'centre' }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3 as const, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

t('each gate state renders its Chinese and English text, full screen, with screenshots', async (ctx) => {
  const { sim } = ctx;
  const sub = sim.subOf(SCENARIO.travellers[0]!);
  const { width, height } = sim.gate.deps.config.camera;
  const scanner = sim.gate.deps.scanners[0] as SimulatedScanner;
  const camera = sim.gate.deps.camera as SimulatedCamera;
  const qr = (kind: 'valid' | 'expired'): string => presentationFor(sim.tokens, kind, sub, Date.now(), undefined).input as string;

  await expectAll(ctx, 'idle', 'idle');

  scanner.scan(qr('expired'));
  await expectAll(ctx, 'token_refused', 'token-refused');
  assert.equal(current(ctx).hint, TOKEN_REASONS.CREDENTIAL_EXPIRED, 'a refused token shows its reason');
  await expectAll(ctx, 'idle', 'idle');

  // Two people step up; a valid code opens the entry door; both walk in: tailgate.
  const person = sim.plant.traveller('display-test').arrive();
  const follower = sim.plant.traveller('display-test-follower').arrive();
  await sleep(150);
  scanner.scan(qr('valid'));
  await expectAll(ctx, 'enter', 'enter');
  for (const p of ctx.pages) {
    const shown = await p.page.evaluate<string[]>('window.egateShown');
    assert.ok(shown.includes('checking'), `the token check was never shown at ${p.size}: ${shown.join(',')}`);
  }
  await Promise.all([person.enterMantrap(), follower.enterMantrap()]);
  await expectAll(ctx, 'step_back', 'step-back');

  // The follower backs out; the traveller stands too far from the camera: guidance.
  await follower.backOut();
  await camera.show(await farAway(join(FACES, 'person02-44.jpg'), width, height));
  await waitFor(() => ctx.control.screen()?.screen === 'face' && ctx.control.screen()?.hint !== undefined, 'face guidance');
  await expectAll(ctx, 'face', 'face-guidance');
  assert.equal(current(ctx).hint, GUIDANCE.too_small);

  // Steps closer: a match, the exit opens.
  await camera.show(await cameraView(join(FACES, 'person02-44.jpg'), width, height));
  await expectAll(ctx, 'proceed', 'proceed');
  await camera.show(null);
  await person.exit();
  await person.leave();
  await expectAll(ctx, 'idle', 'idle');

  // A photo held up to the camera: refused, sent to the counter.
  const spoofer = sim.plant.traveller('display-test-spoof').arrive();
  await sleep(150);
  scanner.scan(qr('valid'));
  await waitFor(() => ctx.control.screen()?.screen === 'enter', 'entry');
  await spoofer.enterMantrap();
  await camera.show(await cameraView(join(FACES, 'spoof-screen-person01-1.jpg'), width, height));
  await expectAll(ctx, 'counter', 'counter');
  await camera.show(null);
  await spoofer.backOut();
  await spoofer.leave();
  await expectAll(ctx, 'idle', 'idle');

  assert.ok(ctx.control.setMode('out_of_service', 'display-test').ok);
  await expectAll(ctx, 'closed', 'closed');
  assert.ok(ctx.control.setMode('maintenance', 'display-test').ok);
  await expectAll(ctx, 'maintenance', 'maintenance');
  assert.ok(ctx.control.setMode('in_service', 'display-test').ok);
  await expectAll(ctx, 'idle', 'idle');

  sim.plant.setFireAlarm(true);
  await expectAll(ctx, 'emergency', 'emergency');
  sim.plant.setFireAlarm(false);
  await expectAll(ctx, 'awaiting_reset', 'awaiting-reset');
  assert.ok(ctx.control.reset('display-test').ok);
  await expectAll(ctx, 'idle', 'idle');
});

t('every pictogram is drawn; the transient and other-lane screens render (published on the gate bus)', async (ctx) => {
  const extra: [Screen, string][] = [
    [{ screen: 'checking', tone: 'wait', pictogram: 'wait', ...MESSAGES.checking }, 'checking'],
    [{ screen: 'leave', tone: 'wait', pictogram: 'walk-out', ...MESSAGES.leave }, 'leave'],
    [{ screen: 'vehicle_idle', tone: 'neutral', pictogram: 'car', en: 'Drive up and stop', zh: '請駛前停車' }, 'car'],
    [{ screen: 'passport', tone: 'neutral', pictogram: 'passport', en: 'Place your passport on the reader', zh: '請將護照放在閱讀器上' }, 'passport'],
    [{ screen: 'passport_idle', tone: 'neutral', pictogram: 'passport-down', en: 'Place your passport on the reader, photo page down', zh: '請將護照資料頁向下放在閱讀器上' }, 'passport-down'],
  ];
  for (const [s, shot] of extra) {
    ctx.sim.gate.bus.emit('screen', s);
    for (const p of ctx.pages) await expectShown(p, s, shot);
  }
  const drawn = new Set(await ctx.pages[0]!.page.evaluate<string[]>('window.egateShown'));
  assert.ok(drawn.size >= 12, `screens drawn: ${[...drawn].join(',')}`);
});

t('only the gate is contacted; the page runs under a nonce CSP without violations', async (ctx) => {
  const res = await fetch(ctx.display.url);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
  const html = await res.text();
  // The only URL in the page is the SVG namespace name, which is never fetched.
  assert.not.match(html.replaceAll(/xmlns=\\?"http:\/\/www\.w3\.org\/2000\/svg\\?"/g, ''), /https?:\/\//i, 'the page references another host');
  assert.not.match(html, /<(link|img|iframe)\b/i);
  for (const p of ctx.pages) {
    const foreign = p.requests.filter((u) => !u.startsWith(ctx.display.url));
    assert.equal(foreign, [], `external requests at ${p.size}`);
    assert.equal(p.problems, [], `page errors at ${p.size}`);
  }
  const health = (await (await fetch(new URL('/healthz', ctx.display.url))).json()) as { ok: boolean; clients: number };
  assert.ok(health.ok);
  assert.is(health.clients, ctx.pages.length);
  assert.is((await fetch(new URL('/nope', ctx.display.url))).status, 404);
  assert.is((await fetch(ctx.display.url, { method: 'POST' })).status, 405);
});

t('the page shows "please wait" while the gate is away and recovers by itself after a restart', async (ctx) => {
  await ctx.display.stop();
  for (const p of ctx.pages) {
    await waitConnected(p, false);
    await expectShown(p, { screen: 'offline', tone: 'neutral', pictogram: 'wait', ...MESSAGES.wait }, 'offline');
  }
  // Meanwhile the gate changes state; the new server must show the state as it is now.
  assert.ok(ctx.control.setMode('out_of_service', 'display-test').ok);
  await waitFor(() => ctx.control.screen()?.screen === 'closed', 'closed');
  await sleep(1500);
  ctx.display = await startDisplayServer(ctx.control, { host: '127.0.0.1', port: ctx.port, log: silentLogger(), heartbeatMs: 1000, retryMs: 300 });
  for (const p of ctx.pages) {
    await waitConnected(p, true);
    await expectShown(p, current(ctx), 'recovered');
  }
  assert.is(ctx.display.clients(), ctx.pages.length);
  assert.ok(ctx.control.setMode('in_service', 'display-test').ok);
  await expectAll(ctx, 'idle', 'idle');
});

t.run();
