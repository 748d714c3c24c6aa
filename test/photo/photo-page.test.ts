import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import type { KioskSession } from '../../kiosk/display/kiosk-session.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { decodeFpsQr } from '../../kiosk/payment/fps-qr.ts';
import { makeCast, type PhotoCast } from '../../scripts/sim/photo-scenarios.ts';
import { PhotoWorld } from '../../scripts/sim/photo-world.ts';
import { CHROMIUM, launchChromium } from '../display/browser.ts';
import { peerSuite } from '../helpers/suite.ts';
import { openKioskPage } from '../display/kiosk-browser.ts';

/** The photo kiosk's screen: the same 21.5-inch portrait touch panel as the other kiosks. */

interface Ctx {
  engine: FaceEngine;
  cast: PhotoCast;
  browser: Browser;
  world: PhotoWorld;
  clock: SimulatedClock;
  session: KioskSession;
  closePage?: () => Promise<void>;
  page: Page;
  problems: string[];
  dir: string;
}

const t = peerSuite<Ctx>('photo kiosk page in headless Chromium: tap through to an FPS payment, the code on screen read by zbarimg', [CHROMIUM, 'zbarimg']);

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.cast = await makeCast(ctx.engine, ['compliant', 'tilted']);
  ctx.browser = await launchChromium();
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-photo-page-'));
});
t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.engine?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});
t.before.each(async (ctx) => {
  ctx.clock = new SimulatedClock();
  ctx.world = await PhotoWorld.open(ctx.clock, ctx.engine);
  const k = await openKioskPage(ctx.browser, ctx.world.kiosk, ctx.clock, 60_000);
  Object.assign(ctx, { page: k.page, problems: k.problems, session: k.session, closePage: k.close });
});
t.after.each(async (ctx) => {
  await ctx.closePage?.();
  await ctx.world?.close();
});

const on = (p: Page, screen: string): Promise<unknown> => p.waitForSelector(`body[data-screen="${screen}"]`, { timeout: 60_000 });

/** Start, place the print, Scan; the scanner's time passes on the simulated clock. */
async function scanPrint(ctx: Ctx, print: 'compliant' | 'tilted'): Promise<void> {
  const { page, world } = ctx;
  world.scanner.place({ image: ctx.cast.prints.get(print)!, x: 30, y: 20, width: 35, height: 45 });
  world.live = ctx.cast.applicant;
  await page.getByRole('button', { name: 'English' }).tap();
  await page.getByRole('button', { name: 'Start' }).tap();
  await on(page, 'place_photo');
  await page.getByRole('button', { name: 'Scan' }).tap();
  await on(page, 'scanning');
  ctx.clock.advance(world.scanner.scanMs);
}

t('compliant print: accepted, Pay by FPS shows the code; the screenshot decodes to the kiosk\'s payload; paid, receipt', async (ctx) => {
  const { page, world, clock } = ctx;
  await scanPrint(ctx, 'compliant');
  await on(page, 'choose_payment');
  assert.ok((await page.locator('h1').textContent())!.includes('HK$370.00'));
  for (const b of await page.getByRole('button').all()) {
    const box = await b.boundingBox();
    assert.ok(box && box.width >= 96 && box.height >= 96, `button too small for a finger: ${JSON.stringify(box)}`);
  }
  world.acquirer.payer = () => 'manual';
  await page.getByRole('button', { name: 'Pay by FPS' }).tap();
  await on(page, 'show_qr');
  const code = page.locator('#qr svg');
  await code.waitFor({ timeout: 20_000 });
  const shot = join(ctx.dir, 'fps-qr.png');
  await page.screenshot({ path: shot });
  const read = execFileSync('zbarimg', ['--raw', '-q', shot], { timeout: 30_000 }).toString('utf8').replace(/\n$/, '');
  assert.is(read, world.kiosk.qr());
  const fields = decodeFpsQr(read);
  const application = world.kiosk.application()!;
  assert.is(fields.amountCents, 37_000);
  assert.is(fields.billNumber, `${application}-1`);
  const scroll = (await page.evaluate('[document.scrollingElement.scrollHeight, innerHeight]')) as number[];
  assert.ok(scroll[0]! <= scroll[1]!, 'the payment screen scrolls');
  // the applicant's banking app pays; the acquirer's notice arrives on the simulated clock
  assert.ok(world.acquirer.pay(world.store.list(application)[0]!.key));
  for (let i = 0; i < 20 && world.kiosk.screen().id !== 'result'; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(100);
  }
  await on(page, 'result');
  assert.is(await page.locator('h1').textContent(), 'Paid — your photo is accepted. Thank you.');
  assert.is(await page.locator('#qr').isHidden(), true);
  assert.ok(Buffer.from(world.printer.model.printed).toString('latin1').includes(application));
  assert.is(world.acquirer.debitsForBill(`${application}-1`), 1);
  assert.equal(ctx.problems, []);
});

t('tilted print: the reason in the applicant\'s words and the counter offered, in Traditional Chinese too', async (ctx) => {
  const { page } = ctx;
  await scanPrint(ctx, 'tilted');
  await on(page, 'result');
  assert.is(await page.locator('h1').textContent(), 'This photo cannot be used');
  assert.ok((await page.locator('#lines p').first().textContent())!.startsWith('Your head is tilted'));
  await page.getByRole('button', { name: '繁體中文' }).tap();
  await page.waitForSelector('body[data-lang="zh-Hant"]');
  assert.ok((await page.locator('#lines p').first().textContent())!.includes('頭部傾側'));
  await page.getByRole('button', { name: '到櫃檯拍攝相片' }).tap();
  await on(page, 'idle');
  assert.equal(ctx.problems, []);
});

t.run();
