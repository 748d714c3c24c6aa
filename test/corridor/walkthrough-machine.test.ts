import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crossingFinishedSchema } from '../../kiosk/journal/event-types.ts';
import { propertyRun } from '../helpers/property.ts';
import { WalkthroughHarness } from './walkthrough-harness.ts';

const S = 'a'.repeat(32);
const match = { decision: 'match' as const, subject: S, score: 0.7, liveness: 0.9, frames: 5, via: 'gallery' };

test('in service: entry open, exit shut, the corridor loop runs', async () => {
  const h = await new WalkthroughHarness().inService();
  assert.is(h.value(), '{"in_service":"watching"}');
  assert.equal({ entry: h.outputs().entry_release, exit: h.outputs().exit_release }, { entry: true, exit: false });
  assert.is(h.loops, 1);
  assert.is(h.screen().screen, 'idle');
});

test('a matched traveller: the exit opens only once they are in front of it, closes behind them, CLEARED', async () => {
  const h = await new WalkthroughHarness().inService();
  h.corridor({ id: 1, z: 1 });
  assert.is(h.screen().screen, 'walking');
  h.corridor({ id: 1, z: 2.5, ...match });
  assert.is(h.outputs().exit_release, false, 'decided, but not at the door yet');
  assert.is(h.screen().screen, 'proceed');
  h.corridor({ id: 1, z: 4.3, atExit: true, ...match });
  assert.is(h.outputs().exit_release, true);
  h.io({ exit_closed: false });
  h.io({ zone_exit: true });
  h.corridor({ id: 1, z: 5.1, atExit: true, ...match });
  h.corridor();
  h.io({ zone_exit: false });
  assert.is(h.outputs().exit_release, false);
  h.io({ exit_closed: true });
  assert.is(h.value(), '{"in_service":"watching"}');
  assert.equal(h.finished(), [{ outcome: 'CLEARED', reason: 'OK' }]);
  const done = h.facts.find((f) => f.type === 'journal' && f.event === 'crossing_finished')!;
  assert.ok(crossingFinishedSchema.safeParse((done as { data: unknown }).data).success, 'crossing_finished as events.md requires');
});

test('no match, spoof, turn-back: the exit never opens; outcomes when the track leaves', async () => {
  const h = await new WalkthroughHarness().inService();
  h.corridor({ id: 1, z: 4.4, atExit: true, decision: 'no_match', score: 0.1, liveness: 0.9, frames: 5, via: 'gallery' });
  assert.is(h.outputs().exit_release, false);
  assert.is(h.screen().screen, 'refused');
  h.corridor({ id: 1, z: 2 });
  h.corridor();
  h.corridor({ id: 2, z: 4.4, atExit: true, decision: 'spoof', liveness: 0.1, frames: 5 });
  h.corridor();
  h.corridor({ id: 3, z: 2 });
  h.corridor();
  h.corridor({ id: 4, z: 3, ...match });
  h.corridor({ id: 4, z: 1 });
  h.corridor();
  assert.equal(h.finished().map((f) => f.outcome), ['REJECTED_FACE', 'REJECTED_PAD', 'ABANDONED', 'ABANDONED']);
  assert.equal(h.finished().map((f) => f.reason), ['NO_MATCH', 'PRESENTATION_ATTACK', 'NOT_DECIDED', 'TURNED_BACK']);
});

test('two at the exit before it opens: it stays shut; a second track reaching it while open: TAILGATE', async () => {
  const h = await new WalkthroughHarness().inService();
  h.corridor({ id: 1, z: 4.5, atExit: true, ...match }, { id: 2, z: 4.3, atExit: true, ...match });
  assert.is(h.outputs().exit_release, false, 'two in front of the door');
  h.corridor({ id: 1, z: 4.5, atExit: true, ...match }, { id: 2, z: 3.0 });
  assert.is(h.outputs().exit_release, true);
  h.io({ exit_closed: false, zone_exit: true });
  h.corridor({ id: 1, z: 5.1, atExit: true, ...match }, { id: 2, z: 4.4, atExit: true });
  assert.is(h.value(), '{"in_service":"tailgate"}');
  assert.is(h.outputs().exit_release, false);
  assert.is(h.outputs().buzzer, true);
  assert.is(h.screen().screen, 'tailgate');
  h.corridor({ id: 2, z: 4.4, atExit: true });
  h.io({ zone_exit: false });
  h.corridor({ id: 2, z: 3 });
  h.io({ exit_closed: true });
  assert.is(h.value(), '{"in_service":"watching"}');
  h.corridor();
  assert.equal(h.finished().map((f) => f.outcome).sort(), ['CLEARED', 'TAILGATE']);
});

test('a token tapped at the entry goes to the corridor loop; a fault aborts every passage; fire opens both', async () => {
  const h = await new WalkthroughHarness().inService();
  h.actor.send({ type: 'TOKEN_READ', channel: 'card', token: 'x' });
  assert.is(h.toLoop.length, 1);
  h.corridor({ id: 1, z: 2 }, { id: 2, z: 1 });
  h.actor.send({ type: 'DEVICE_FAULT', device: 'camera', code: 'STALLED' });
  assert.equal(h.finished().map((f) => f.outcome), ['ABORTED_FAULT', 'ABORTED_FAULT']);
  assert.is(h.loops, 0, 'the corridor loop stops out of service');
  assert.is(h.outputs().exit_release, false);
  h.io({ zone_mantrap: true });
  assert.is(h.outputs().entry_release, true, 'whoever is inside walks back out by the entry');
  h.actor.send({ type: 'FIRE_ALARM', active: true });
  assert.equal({ e: h.outputs().entry_release, x: h.outputs().exit_release }, { e: true, x: true });
});

test('property: random corridor reports, sensors and faults never open the exit without a match for the one in front of it', async () => {
  const track = fc.record({ id: fc.integer({ min: 1, max: 3 }), z: fc.double({ min: 0, max: 5.5, noNaN: true }), atExit: fc.boolean(), decision: fc.constantFrom(null, 'match' as const, 'no_match' as const, 'spoof' as const) });
  const step = fc.oneof(
    fc.record({ k: fc.constant('corridor' as const), tracks: fc.uniqueArray(track, { maxLength: 3, selector: (t) => t.id }) }),
    fc.record({ k: fc.constant('io' as const), role: fc.constantFrom('exit_closed', 'zone_exit', 'zone_mantrap'), v: fc.boolean() }),
    fc.record({ k: fc.constantFrom('fault' as const, 'ok' as const, 'fire' as const, 'fireOff' as const, 'reset' as const) }),
    fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 12000 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 50 }), async (steps) => {
      const h = await new WalkthroughHarness().inService();
      let openedFor: number | null = null;
      for (const s of steps) {
        if (s.k === 'corridor') h.actor.send({ type: 'CORRIDOR', tracks: s.tracks.map((t) => ({ ...t, subject: t.decision === 'match' ? S : null, score: null, liveness: null, frames: 3, via: 'gallery' })) });
        else if (s.k === 'io') h.io({ [s.role]: s.v });
        else if (s.k === 'fault') h.actor.send({ type: 'DEVICE_FAULT', device: 'controller', code: 'TIMEOUT' });
        else if (s.k === 'ok') h.actor.send({ type: 'DEVICE_OK', device: 'controller' });
        else if (s.k === 'fire') h.actor.send({ type: 'FIRE_ALARM', active: true });
        else if (s.k === 'fireOff') h.actor.send({ type: 'FIRE_ALARM', active: false });
        else if (s.k === 'reset') h.actor.send({ type: 'RESET', by: 't' });
        else if (s.k === 'wait') await h.advance(s.ms);
        const snap = h.actor.getSnapshot();
        const emergency = snap.matches({ emergency: 'active' });
        if (h.outputs().exit_release && !emergency) {
          assert.ok(snap.matches({ in_service: 'exit' }), `exit open in ${h.value()}`);
          const id = snap.context.openFor;
          if (openedFor !== id) {
            // The moment it opened: the one in front was decided a match and alone at the door.
            const p = id === null ? undefined : snap.context.passages[id];
            assert.ok(p && p.last.decision === 'match' && p.last.atExit, `opened for ${id}: ${JSON.stringify(p?.last)}`);
            assert.is(Object.values(snap.context.passages).filter((q) => q.last.atExit).length, 1);
          }
          openedFor = id;
        } else openedFor = null;
        if (snap.context.faults.includes('controller') && !emergency) assert.not.ok(h.outputs().exit_release);
      }
      const started = h.facts.filter((f) => f.type === 'journal' && f.event === 'crossing_started').length;
      assert.ok(h.finished().length <= started, 'no passage finishes without starting');
    }),
    propertyRun('walkthrough: exit opens only on a decision', { numRuns: 150 }),
  );
});

test.run();
