import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import type { KioskSession } from '../../kiosk/display/kiosk-session.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { makeCollectionCast, newResident, type CollectionCast } from '../../scripts/sim/collection-scenarios.ts';
import { CollectionWorld } from '../../scripts/sim/collection-world.ts';
import { CHROMIUM, launchChromium } from '../display/browser.ts';
import { peerSuite } from '../helpers/suite.ts';
import { openKioskPage } from '../display/kiosk-browser.ts';

/** The collection kiosk's screen: the same 21.5-inch portrait touch panel as the other kiosks. */

interface Ctx {
  engine: FaceEngine;
  cast: CollectionCast;
  browser: Browser;
  world: CollectionWorld;
  clock: SimulatedClock;
  session: KioskSession;
  closePage?: () => Promise<void>;
  page: Page;
  problems: string[];
}

/**
 * The collection kiosk's touch page in headless Chromium at the kiosk's screen size, the
 * resident tapping the language switch (the only buttons: they scan, look and take): the scan
 * screen, "take your card" while the card waits at the lit mouth, the thank-you screen; a face
 * that does not match sends them to the counter, with the card retained.
 */
const t = peerSuite<Ctx>('collection kiosk page in headless Chromium: language tap, collect, refused to the counter', [CHROMIUM]);

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.cast = makeCollectionCast();
  ctx.browser = await launchChromium();
});
t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.engine?.close();
});
t.before.each(async (ctx) => {
  ctx.clock = new SimulatedClock();
  const tokens = createTokenWorld({ nowMs: ctx.clock.now() });
  ctx.clock.setWallClock(tokens.nowMs);
  ctx.world = await CollectionWorld.open(ctx.clock, tokens, ctx.engine);
  const k = await openKioskPage(ctx.browser, ctx.world.kiosk, ctx.clock, 60_000);
  Object.assign(ctx, { page: k.page, problems: k.problems, session: k.session, closePage: k.close });
});
t.after.each(async (ctx) => {
  await ctx.closePage?.();
  await ctx.world?.close();
});

const on = (p: Page, screen: string): Promise<unknown> => p.waitForSelector(`body[data-screen="${screen}"]`, { timeout: 60_000 });
const state = (w: CollectionWorld): string => String(w.kiosk.actor.getSnapshot().value);

/** Runs the kiosk until `want`, moving the simulated clock except while it computes; then the clock stands still. */
async function until(ctx: Ctx, want: string[]): Promise<void> {
  const deadline = Date.now() + 60_000; // deadlock guard only
  while (!want.includes(state(ctx.world))) {
    if (Date.now() > deadline) throw new Error(`stuck in ${state(ctx.world)}`);
    const s = state(ctx.world);
    if (s === 'face' || (s === 'reading_card' && ctx.world.reader.hasCard)) await new Promise((r) => setTimeout(r, 1));
    else {
      await new Promise((r) => setImmediate(r));
      ctx.clock.advance(20);
    }
  }
}

t('English tapped; slip scanned; "take your card" at the lit mouth; taken → thank you', async (ctx) => {
  const { page, world } = ctx;
  await on(page, 'scan_slip');
  await page.getByRole('button', { name: 'English' }).tap();
  assert.is(await page.locator('h1').textContent(), 'Collect your identity card');
  for (const b of await page.getByRole('button').all()) {
    const box = await b.boundingBox();
    assert.ok(box && box.width >= 96 && box.height >= 96, `button too small for a finger: ${JSON.stringify(box)}`);
  }
  const r = newResident(world, ctx.cast);
  world.live = ctx.cast.holder;
  assert.ok(world.scanner.scan(r.slip));
  await until(ctx, ['awaiting_take']);
  await on(page, 'take_card');
  assert.is(await page.locator('h1').textContent(), 'Take your card');
  assert.is(world.plant.card.place, 'mouth');
  assert.ok(world.plant.take());
  await until(ctx, ['result']);
  await on(page, 'collected');
  assert.is(await page.locator('h1').textContent(), 'Thank you');
  assert.equal(ctx.problems, []);
});

t('繁體中文 tapped; a face that does not match → go to the counter, card retained, never at the mouth', async (ctx) => {
  const { page, world } = ctx;
  await on(page, 'scan_slip');
  await page.getByRole('button', { name: '繁體中文' }).tap();
  assert.is(await page.locator('h1').textContent(), '領取身份證');
  const r = newResident(world, ctx.cast);
  world.live = ctx.cast.other;
  assert.ok(world.scanner.scan(r.slip));
  await until(ctx, ['to_counter', 'out_of_service']);
  await on(page, 'go_to_counter');
  assert.is(await page.locator('h1').textContent(), '請往櫃位辦理');
  assert.ok(world.plant.bin.includes(r.label), 'card in the bin');
  assert.not.ok(world.plant.taken.includes(r.label));
  assert.equal(ctx.problems, []);
});

t.run();
