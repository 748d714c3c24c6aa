import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise } from 'xstate';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { collectionMachine, type CollectionFact, type FaceCheck, type SlipCheck, type StepResult } from '../../kiosk/collection/machine.ts';
import { collectionOutputs, collectionScreen } from '../../kiosk/collection/outputs.ts';

/** The statechart with scripted step answers on a simulated clock; `moves` records the dispenser commands. */
function kiosk(o: { slip?: SlipCheck; card?: StepResult; face?: FaceCheck['decision']; retainFails?: boolean } = {}) {
  const clock = new SimulatedClock();
  const moves: string[] = [];
  const machine = collectionMachine.provide({
    actors: {
      checkSlip: fromPromise<SlipCheck, { text: string }>(async () => o.slip ?? { ok: true, slot: 4, slip: 'abcd' }),
      fetchCard: fromPromise<void, { slot: number }>(async ({ input }) => void moves.push(`fetch ${input.slot}`)),
      checkCard: fromPromise<StepResult, void>(async () => o.card ?? { ok: true }),
      compareFace: fromPromise<FaceCheck, void>(async () => ({ decision: o.face ?? 'match' })),
      presentCard: fromPromise<void, void>(async () => void moves.push('present')),
      retainCard: fromPromise<void, void>(async () => {
        moves.push('retain');
        if (o.retainFails) throw Object.assign(new Error('bin full'), { code: 'DISPENSER_REFUSED' });
      }),
    },
  });
  const actor = createActor(machine, {
    clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
    input: { timings: { takeLimitMs: 20_000, resultDisplayMs: 5000 } },
  });
  const facts: CollectionFact[] = [];
  actor.on('*', (f) => facts.push(f as CollectionFact));
  actor.start();
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { actor, clock, moves, facts, settle, state: () => String(actor.getSnapshot().value) };
}

test('a match: fetched, read, face matched, presented with the mouth lit; taken → collected → ready again', async () => {
  const k = kiosk();
  assert.is(collectionScreen(k.actor.getSnapshot()), 'scan_slip');
  k.actor.send({ type: 'SLIP_SCANNED', text: 'HKCS1:…' });
  await k.settle();
  assert.is(k.state(), 'awaiting_take');
  assert.equal(k.moves, ['fetch 4', 'present']);
  assert.equal(collectionOutputs(k.actor.getSnapshot()), { mouth_light: true, out_of_service_sign: false });
  k.actor.send({ type: 'CARD_TAKEN' });
  assert.is(k.actor.getSnapshot().context.outcome, 'COLLECTED');
  assert.is(collectionOutputs(k.actor.getSnapshot()).mouth_light, false);
  k.clock.advance(5000);
  assert.is(k.state(), 'idle');
  assert.equal(k.facts.map((f) => f.step), ['slip_accepted', 'card_fetched', 'card_genuine', 'face_matched', 'card_presented', 'card_taken']);
});

test('not taken within the limit: retained in the bin, sent to the counter', async () => {
  const k = kiosk();
  k.actor.send({ type: 'SLIP_SCANNED', text: 'x' });
  await k.settle();
  k.clock.advance(19_999);
  assert.is(k.state(), 'awaiting_take');
  k.clock.advance(1);
  await k.settle();
  assert.equal(k.moves, ['fetch 4', 'present', 'retain']);
  assert.is(collectionScreen(k.actor.getSnapshot()), 'go_to_counter');
  assert.is(k.actor.getSnapshot().context.reason, 'NOT_TAKEN');
});

for (const [what, o, reason] of [
  ['face mismatch', { face: 'no_match' }, 'FACE_MISMATCH'],
  ['presentation attack', { face: 'spoof' }, 'PRESENTATION_ATTACK'],
  ['face timeout', { face: 'timeout' }, 'FACE_TIMEOUT'],
  ['a cloned card', { card: { ok: false, reason: 'CARD_NOT_GENUINE' } }, 'CARD_NOT_GENUINE'],
] as const) {
  test(`${what}: the card is never presented, it stays inside (bin) and the resident goes to the counter (${reason})`, async () => {
    const k = kiosk(o as never);
    k.actor.send({ type: 'SLIP_SCANNED', text: 'x' });
    await k.settle();
    assert.not.ok(k.moves.includes('present'));
    assert.equal(k.moves, ['fetch 4', 'retain']);
    assert.is(k.state(), 'to_counter');
    assert.is(k.actor.getSnapshot().context.reason, reason);
    assert.ok(k.facts.every((f) => !JSON.stringify(f).match(/R00|Z68/)), 'no identity or card number in the facts');
  });
}

test('a refused slip moves no card; a retain that fails takes the kiosk out of service', async () => {
  const k = kiosk({ slip: { ok: false, reason: 'SLIP_EXPIRED', slip: 'ef01' } });
  k.actor.send({ type: 'SLIP_SCANNED', text: 'x' });
  await k.settle();
  assert.equal(k.moves, []);
  assert.is(k.actor.getSnapshot().context.reason, 'SLIP_EXPIRED');
  const j = kiosk({ face: 'no_match', retainFails: true });
  j.actor.send({ type: 'SLIP_SCANNED', text: 'x' });
  await j.settle();
  assert.is(j.state(), 'out_of_service');
  assert.equal(collectionOutputs(j.actor.getSnapshot()), { mouth_light: false, out_of_service_sign: true });
});

test.run();
