import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { makeCollectionCast, newResident, type CollectionCast } from '../../scripts/sim/collection-scenarios.ts';
import { CollectionWorld } from '../../scripts/sim/collection-world.ts';

/**
 * The kiosk process dies (kill -9: no retain, no goodbye, its heartbeat stops) with the card
 * at the internal reader or in the mouth. The dispenser controller runs on: the card must end
 * in the bin, never reach (or stay at) the mouth for the resident, and the restarted kiosk
 * journals what it found. Restart before the controller's watchdog: the kiosk retains it;
 * restart after: the watchdog already did.
 */
const t = suite<{ engine: FaceEngine; cast: CollectionCast; clock: SimulatedClock; world: CollectionWorld }>('collection kiosk killed mid-collection');

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.cast = makeCollectionCast();
});
t.before.each(async (ctx) => {
  ctx.clock = new SimulatedClock();
  const tokens = createTokenWorld({ nowMs: ctx.clock.now() });
  ctx.clock.setWallClock(tokens.nowMs);
  ctx.world = await CollectionWorld.open(ctx.clock, tokens, ctx.engine);
});
t.after.each(async (ctx) => ctx.world?.close());
t.after(async (ctx) => ctx.engine?.close());

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Runs the kiosk until `state`, moving the clock except while the face engine works. */
async function until(w: CollectionWorld, clock: SimulatedClock, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`stuck in ${String(w.kiosk.actor.getSnapshot().value)}`);
    if (String(w.kiosk.actor.getSnapshot().value) === 'face') {
      // the face engine works in a worker: wait for it on the real clock rather than spin
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    await turn();
    clock.advance(20);
  }
}

const steps = (w: CollectionWorld): Record<string, unknown>[] =>
  w.journal.readAfter(0, 10_000).filter((e) => e.type === 'collection_step').map((e) => e.data as Record<string, unknown>);

for (const at of ['reader', 'mouth'] as const) {
  for (const restart of ['before', 'after'] as const) {
    t(`killed with the card at the ${at}, restarted ${restart} the watchdog → retained, never presented, journalled`, async ({ world: w, clock, cast }) => {
      const r = newResident(w, cast);
      w.live = cast.holder;
      w.scanner.scan(r.slip);
      const want = at === 'reader' ? 'face' : 'awaiting_take';
      await until(w, clock, () => String(w.kiosk.actor.getSnapshot().value) === want && w.plant.card.place === at);
      assert.is(w.plant.card.label, r.label);
      await w.kill();
      // the dead process: the resident does not get the card; the controller holds or retains it
      let reachedMouth = w.plant.card.place === 'mouth';
      const downMs = restart === 'before' ? 1000 : 4000;
      for (let ms = 0; ms < downMs; ms += 20) {
        clock.advance(20);
        await turn();
        if (at === 'reader' && w.plant.card.place === 'mouth') reachedMouth = true;
      }
      if (restart === 'after') assert.ok(w.plant.bin.includes(r.label), 'the watchdog retained the card while the kiosk was dead');
      await w.start();
      await until(w, clock, () => w.plant.card.place === 'none');
      assert.ok(w.plant.bin.includes(r.label), 'card in the bin');
      assert.not.ok(w.plant.taken.includes(r.label), 'card not taken');
      if (at === 'reader') assert.not.ok(reachedMouth, 'a card at the reader never went to the mouth');
      const s = steps(w);
      const starts = s.filter((d) => d.step === 'kiosk_started');
      assert.is(starts.length, 2);
      if (restart === 'before') {
        assert.is(starts[1]![at === 'reader' ? 'card_at_reader' : 'card_at_mouth'], true);
        assert.ok(s.some((d) => d.step === 'retained_at_start' && d.place === at), 'retained_at_start journalled');
      } else {
        assert.not.ok(s.some((d) => d.step === 'retained_at_start'), 'nothing left to retain');
        assert.is(starts[1]!.bin_count, w.plant.bin.length);
      }
      assert.is(String(w.kiosk.actor.getSnapshot().value), 'idle');
    });
  }
}

t.run();
