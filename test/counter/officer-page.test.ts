import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { ArrivalRecordStore } from '../../kiosk/counter/arrival-record.ts';
import type { CounterCapture } from '../../kiosk/counter/capture.ts';
import { CounterStation } from '../../kiosk/counter/counter-station.ts';
import { OfficerDesk } from '../../kiosk/counter/officer-desk.ts';
import type { TokenVerdict } from '../../kiosk/crossing/types.ts';
import { officerRoutes } from '../../kiosk/display/officer-routes.ts';
import { startDisplayServer, WAIT_SCREEN, type DisplayServer } from '../../kiosk/display/server.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { CHROMIUM, launchChromium } from '../display/browser.ts';
import { requirePeers } from '../helpers/peers.ts';

const MRZ = ['P<UTOSPECIMEN<<ALEX<<<<<<<<<<<<<<<<<<<<<<<<<', 'UT12345670UTO8501014F3405151<<<<<<<<<<<<<<04'];
const GOOD: TokenVerdict = { ok: true, tokenType: 'passport', subject: 'a'.repeat(32), reference: { template: new Float32Array(512), source: 'chip' }, detail: { issuing_state: 'UTO', document_type: 'P' } };
const PORTRAIT = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
const cap = (over: Partial<CounterCapture>): CounterCapture => ({ portrait: PORTRAIT, decision: 'match', score: 0.62, threshold: 0.36, liveness: 0.93, quality: 71, compliant: true, failing: [], frames: 2, ...over });

interface Ctx { dir: string; clock: SimulatedClock; journal: Journal; records: ArrivalRecordStore; station: CounterStation; server: DisplayServer; browser: Browser; captures: CounterCapture[]; verdict: TokenVerdict }
const t = suite<Ctx>('counter officer page in Chromium: login, case, accept, retake, refer, refusal, lockout');
const run = requirePeers('counter officer page', CHROMIUM);

t.before(async (ctx) => {
  if (run) ctx.browser = await launchChromium();
});
t.after(async (ctx) => {
  await ctx.browser?.close();
});
t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-officer-page-'));
  ctx.clock = new SimulatedClock();
  ctx.journal = Journal.open({ path: join(ctx.dir, 'journal.sqlite'), gate: 'CTR-01', clock: ctx.clock, secretPath: join(ctx.dir, 'secret') });
  ctx.records = new ArrivalRecordStore({ path: join(ctx.dir, 'arrivals.db'), keyPath: join(ctx.dir, 'arrivals.key'), lifeMs: 3600_000 });
  await setTechnician(join(ctx.dir, 'officers.json'), 'OFF-12', 'pin', '246810', { N: 2 ** 10, r: 8, p: 1 });
  const desk = new OfficerDesk({ credentialsPath: join(ctx.dir, 'officers.json'), lockoutPath: join(ctx.dir, 'lockout.json'), limits: { maxFailures: 3, socketMaxFailures: 20, lockoutMs: 300_000 }, journal: ctx.journal, clock: ctx.clock, idleMs: 600_000 });
  ctx.captures = [];
  ctx.verdict = GOOD;
  ctx.station = new CounterStation({
    checkDocument: async () => ctx.verdict,
    capture: async (_ref, guide) => {
      guide('too_small');
      return ctx.captures.shift() ?? cap({ portrait: null, decision: 'no_face', score: null, liveness: null });
    },
    records: ctx.records,
    desk,
    journal: (e, d) => ctx.journal.append(e, d as { arrival: string }),
    clock: ctx.clock,
  });
  const routes = officerRoutes(ctx.station, desk);
  ctx.server = await startDisplayServer({ screen: () => WAIT_SCREEN, on: () => () => {} }, { host: '127.0.0.1', port: 0, log: silentLogger(), clock: ctx.clock, routes: routes.handle });
});
t.after.each(async (ctx) => {
  await ctx.server.stop();
  ctx.records.close();
  ctx.journal.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

async function login(ctx: Ctx, pin = '246810'): Promise<Page> {
  const page = await ctx.browser.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(new URL('/officer', ctx.server.url).href);
  await page.fill('#officer', 'OFF-12');
  await page.fill('#pin', pin);
  await submit(page, '#login');
  return page;
}

/** Clicks a form button and waits for the page the post leads to. */
async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(button)]);
}

/** The page refreshes itself until a case awaits the officer. */
const review = (page: Page): Promise<unknown> => page.waitForSelector('body[data-step="review"]', { timeout: 15_000 });
const officerActions = (ctx: Ctx): string[] => ctx.journal.readAfter(0, 200).filter((e) => e.type === 'officer_action').map((e) => (e.data as { action: string }).action);

t('log in (cookie HttpOnly, SameSite=Strict), see the case, accept: the portrait only in the arrival record', async (ctx) => {
  if (!run) return;
  const page = await login(ctx);
  const [cookie] = await page.context().cookies();
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.path === '/officer');
  assert.is(await page.textContent('#who'), 'OFF-12');
  ctx.captures.push(cap({}));
  assert.ok(ctx.station.passportRead(MRZ));
  await review(page);
  assert.match((await page.textContent('#document')) ?? '', /Genuine/);
  assert.is(await page.getAttribute('#face', 'data-band'), 'strong');
  assert.match((await page.textContent('#liveness')) ?? '', /^Live/);
  assert.match((await page.textContent('#quality')) ?? '', /Compliant \(71\/100\)/);
  assert.match((await page.textContent('#doubts')) ?? '', /No reason for doubt/);
  const arrival = (await page.getAttribute('body', 'data-arrival'))!;
  await submit(page, '#accept');
  await page.waitForSelector('body[data-step="accepted"]');
  const rec = ctx.records.get(arrival, ctx.clock.now());
  assert.equal(Array.from(rec.portrait), Array.from(PORTRAIT));
  assert.is(rec.facts.decision, 'accept');
  assert.is(rec.facts.officer, 'OFF-12');
  const journal = JSON.stringify(ctx.journal.readAfter(0, 200));
  assert.not.ok(journal.includes(Buffer.from(PORTRAIT).toString('base64')) || journal.includes('UT1234567') || journal.includes('246810'));
  assert.equal(officerActions(ctx), ['login', 'accept']);
  await page.close();
});

t('retake then accept; refer on a face mismatch with the reason shown', async (ctx) => {
  if (!run) return;
  const page = await login(ctx);
  ctx.captures.push(cap({ decision: 'poor_quality', score: 0.3, compliant: false, quality: 22, failing: [{ rule: 'roll', en: 'Your head is tilted' }] }), cap({}));
  ctx.station.passportRead(MRZ);
  await review(page);
  assert.match((await page.textContent('#doubts')) ?? '', /Your head is tilted/);
  const first = await page.getAttribute('body', 'data-arrival');
  await submit(page, '#retake');
  await review(page);
  assert.is(await page.getAttribute('body', 'data-arrival'), first);
  assert.is(await page.getAttribute('#face', 'data-band'), 'strong');
  await submit(page, '#accept');
  await page.waitForSelector('body[data-step="accepted"]');
  ctx.captures.push(cap({ decision: 'no_match', score: 0.05 }));
  ctx.station.passportRead(MRZ);
  await review(page);
  assert.is(await page.getAttribute('#face', 'data-band'), 'no_match');
  assert.match((await page.textContent('#doubts')) ?? '', /does not match the passport chip photo/);
  const second = (await page.getAttribute('body', 'data-arrival'))!;
  await submit(page, '#refer');
  await page.waitForSelector('body[data-step="referred"]');
  assert.is(ctx.records.get(second, ctx.clock.now()).facts.decision, 'refer');
  assert.equal(officerActions(ctx), ['login', 'retake', 'accept', 'refer']);
  await page.close();
});

t('document refused: no accept button; presentation attack named as a doubt', async (ctx) => {
  if (!run) return;
  const page = await login(ctx);
  ctx.verdict = { ok: false, tokenType: 'passport', reason: 'PA_SIGNATURE' };
  ctx.station.passportRead(MRZ);
  await review(page);
  assert.match((await page.textContent('#document')) ?? '', /Refused \(PA_SIGNATURE\)/);
  assert.is(await page.$('#accept'), null);
  await submit(page, '#refer');
  await page.waitForSelector('body[data-step="referred"]');
  ctx.verdict = GOOD;
  ctx.captures.push(cap({ decision: 'spoof', liveness: 0.08 }));
  ctx.station.passportRead(MRZ);
  await review(page);
  assert.match((await page.textContent('#liveness')) ?? '', /Not live/);
  assert.match((await page.textContent('#doubts')) ?? '', /presentation attack/);
  await page.close();
});

t('wrong PIN refused; three wrong PINs lock the login, even the right PIN then', async (ctx) => {
  if (!run) return;
  for (let i = 0; i < 3; i++) {
    const page = await login(ctx, '111111');
    assert.match((await page.textContent('#message')) ?? '', /Wrong officer id or PIN/);
    assert.is(await page.$('#who'), null);
    await page.close();
  }
  const page = await login(ctx);
  assert.match((await page.textContent('#message')) ?? '', /locked/);
  assert.is(await page.$('#who'), null);
  assert.equal(officerActions(ctx), ['login_refused', 'login_refused', 'login_refused', 'login_locked']);
  ctx.clock.advance(300_001);
  const again = await login(ctx);
  assert.is(await again.textContent('#who'), 'OFF-12');
  await again.close();
  await page.close();
});

t.run();
