import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { COLLECTION_SCENARIOS, makeCollectionCast, playCollectionScenario, type CollectionCast } from '../../scripts/sim/collection-scenarios.ts';
import { CollectionWorld } from '../../scripts/sim/collection-world.ts';

/**
 * Every built-in collection-kiosk scenario (the demo's) on the real binding, slip and card
 * checks, verifier, face engine and journal with the dispenser, card reader, scanner and camera
 * twins: outcome, reason and where the card ends (taken, bin, stacker) must be the expected
 * ones, the card is never presented without a match, and the journal names no number or sub.
 */
const t = suite<{ engine: FaceEngine; cast: CollectionCast; world: CollectionWorld; memo: { usedSlip?: string } }>('collection kiosk scenarios in the twin: expected vs actual');

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.cast = makeCollectionCast();
  const clock = new SimulatedClock();
  const tokens = createTokenWorld({ nowMs: clock.now() });
  clock.setWallClock(tokens.nowMs);
  ctx.world = await CollectionWorld.open(clock, tokens, ctx.engine);
  ctx.memo = {};
});
t.after(async (ctx) => {
  await ctx.world?.close();
  await ctx.engine?.close();
});

for (const sc of COLLECTION_SCENARIOS) {
  t(`${sc.name} → ${sc.expect.outcome} ${sc.expect.reason ?? ''}, card ${sc.expect.card}`, async ({ world, cast, memo }) => {
    const r = await playCollectionScenario(world, cast, sc, memo);
    assert.ok(r.ok, `${sc.name}: ${r.why.join('; ')}`);
  });
}

t('the journal has every step, pseudonyms only: no card number, sub, slip text or photo', ({ world }) => {
  const events = world.journal.readAfter(0, 10_000).filter((e) => e.type === 'collection_step');
  const steps = events.map((e) => (e.data as { step: string }).step);
  for (const s of ['kiosk_started', 'slip_accepted', 'slip_refused', 'card_fetched', 'card_genuine', 'card_refused', 'face_matched', 'face_refused', 'card_presented', 'card_taken', 'take_timeout', 'card_retained', 'fetch_failed', 'retain_failed']) {
    assert.ok(steps.includes(s), `step ${s} journalled`);
  }
  const text = JSON.stringify(events);
  assert.not.match(text, /R[56]\d{6}|[CD]1\d{5}\(|HKCS1:|\/9j\//, 'no number, sub, slip or JPEG in the journal');
  const taken = events.find((e) => (e.data as { step: string }).step === 'card_taken')!.data as Record<string, unknown>;
  assert.match(String(taken.subject), /^[0-9a-f]{32}$/);
  assert.match(String(taken.card), /^[0-9a-f]{32}$/);
});

t.run();
