import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import type { KioskSession } from '../../kiosk/display/kiosk-session.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { IDLE_MS } from '../../scripts/sim/registration-scenarios.ts';
import { registrationCast, RegistrationWorld } from '../../scripts/sim/registration-world.ts';
import { CHROMIUM, launchChromium } from '../display/browser.ts';
import { peerSuite } from '../helpers/suite.ts';
import { openKioskPage } from '../display/kiosk-browser.ts';

/** The registration kiosk's screen: the 21.5-inch portrait touch panel of the kiosks. */

interface Ctx {
  engine: FaceEngine;
  browser: Browser;
  world: RegistrationWorld;
  session: KioskSession;
  closePage?: () => Promise<void>;
  page: Page;
  problems: string[];
}

/**
 * A visitor taps through the registration kiosk's page in headless Chromium at the kiosk's
 * screen size, on the real profile in the simulated world (chip, MRZ, printer twins; camera
 * still; real document check and face engine): enrolment in English with the consent read in
 * Simplified Chinese on the way, a refusal in Traditional Chinese, and the inactivity timeout
 * returning to the start in the first language with the visitor forgotten.
 */
const t = peerSuite<Ctx>('registration kiosk page in headless Chromium: enrol, refusal, language switch, inactivity', [CHROMIUM, 'openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.world = await RegistrationWorld.open(new SimulatedClock(), ctx.engine);
  ctx.browser = await launchChromium();
});
t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.world?.close();
  await ctx.engine?.close();
});
t.before.each(async (ctx) => {
  for (const r of ctx.world.store.list()) ctx.world.store.remove(r.sub);
  const k = await openKioskPage(ctx.browser, ctx.world.app, ctx.world.clock, IDLE_MS);
  Object.assign(ctx, { page: k.page, problems: k.problems, session: k.session, closePage: k.close });
});
t.after.each(async (ctx) => {
  await ctx.closePage?.();
  ctx.world.takePassport();
  ctx.world.app.reset();
});

const on = (p: Page, screen: string): Promise<unknown> => p.waitForSelector(`body[data-screen="${screen}"]`, { timeout: 60_000 });

t('enrol in English, consent read in Simplified Chinese on the way; large targets; slip printed; back to the start', async (ctx) => {
  const { page, world } = ctx;
  await page.getByRole('button', { name: 'English' }).tap();
  await page.getByRole('button', { name: 'Start enrolment' }).tap();
  await on(page, 'awaitingPassport');
  world.presentPassport('valid');
  await on(page, 'consent');
  assert.is(await page.locator('h1').textContent(), 'Before you enrol');
  const consent = (await page.locator('#lines').textContent())!;
  assert.ok(consent.includes('until your passport expires') && consent.includes('withdraw consent'));
  for (const b of await page.locator('#actions button').all()) {
    const box = await b.boundingBox();
    assert.ok(box && box.width >= 96 && box.height >= 96, `button too small for a finger: ${JSON.stringify(box)}`);
  }
  await page.getByRole('button', { name: '简体中文' }).tap();
  await page.waitForSelector('body[data-lang="zh-Hans"]');
  assert.ok((await page.locator('#lines').textContent())!.includes('撤回同意'));
  assert.is(await page.locator('h1').textContent(), '登记前请细阅');
  await page.getByRole('button', { name: 'English' }).tap();
  await page.waitForSelector('body[data-lang="en"]');
  world.live = registrationCast().holder;
  await page.getByRole('button', { name: 'I agree' }).tap();
  await on(page, 'done');
  assert.is(await page.locator('h1').textContent(), 'Enrolment done');
  assert.ok((await page.locator('#lines').textContent())!.includes('Valid until 2034-05-15'));
  assert.is(world.store.count(), 1);
  assert.ok(Buffer.from(world.printer.model.printed).toString('latin1').includes(world.store.list()[0]!.sub));
  (world.clock as SimulatedClock).advance(world.config.registration.resultMs);
  await on(page, 'welcome');
  assert.equal(ctx.problems, []);
});

t('untrusted passport: the refusal in Traditional Chinese a visitor understands; nothing enrolled', async (ctx) => {
  const { page, world } = ctx;
  await page.getByRole('button', { name: '繁體中文' }).tap();
  await page.getByRole('button', { name: '開始登記' }).tap();
  await on(page, 'awaitingPassport');
  world.presentPassport('untrusted-ds');
  await on(page, 'refused');
  assert.is(await page.locator('h1').textContent(), '未能登記');
  assert.ok((await page.locator('#lines p').first().textContent())!.includes('護照晶片的真確性'));
  await page.getByRole('button', { name: 'English' }).tap();
  assert.ok((await page.locator('#lines p').first().textContent())!.includes('could not confirm that the passport chip is genuine'));
  assert.is(world.store.count(), 0);
  assert.equal(ctx.problems, []);
});

t('walks away at consent: the inactivity timeout returns to the start in Traditional Chinese, the visitor forgotten', async (ctx) => {
  const { page, world } = ctx;
  await page.getByRole('button', { name: 'English' }).tap();
  await page.getByRole('button', { name: 'Start enrolment' }).tap();
  await on(page, 'awaitingPassport');
  world.presentPassport('valid');
  await on(page, 'consent');
  (world.clock as SimulatedClock).advance(IDLE_MS);
  await on(page, 'welcome');
  await page.waitForSelector('body[data-lang="zh-Hant"]');
  assert.is(await page.locator('h1').textContent(), 'e-道自助登記');
  // a stale "I agree" from the walked-away visitor reaches nothing
  assert.is(ctx.session.act('agree'), false);
  assert.is(world.store.count(), 0);
  assert.equal(ctx.problems, []);
});

t.run();
