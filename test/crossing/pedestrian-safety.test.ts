import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pedestrianHarness } from './harness.ts';
import { propertyRun } from '../helpers/property.ts';

type Step =
  | { k: 'token'; ok: boolean }
  | { k: 'io'; role: string; v: boolean }
  | { k: 'occ'; n: number }
  | { k: 'face'; decision: 'match' | 'no_match' | 'spoof' | 'no_face'; others: number }
  | { k: 'fault' | 'ok' | 'fire' | 'fireOff' | 'reset' }
  | { k: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('token' as const), ok: fc.boolean() }),
  fc.record({ k: fc.constant('io' as const), role: fc.constantFrom('entry_closed', 'exit_closed', 'zone_approach', 'zone_mantrap', 'zone_exit'), v: fc.boolean() }),
  fc.record({ k: fc.constant('occ' as const), n: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ k: fc.constant('face' as const), decision: fc.constantFrom('match' as const, 'no_match' as const, 'spoof' as const, 'no_face' as const), others: fc.constantFrom(0, 0, 0, 1) }),
  fc.record({ k: fc.constantFrom('fault' as const, 'ok' as const, 'fire' as const, 'fireOff' as const, 'reset' as const) }),
  fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 12000 }) }),
);

test('random sensor, token, face and fault sequences never open a door without a decision', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
      const h = await pedestrianHarness({ no: { ok: false, tokenType: 'mobile', reason: 'REVOKED' } }).inService();
      let matched = false;
      for (const s of steps) {
        switch (s.k) {
          case 'token': await h.token(s.ok ? 'yes' : 'no'); break;
          case 'io': h.io({ [s.role]: s.v }); break;
          case 'occ': h.io({}, { mantrap_occupancy: s.n }); break;
          case 'face': h.face({ decision: s.decision, otherFaces: s.others, score: s.decision === 'match' ? 0.8 : 0.1 }); break;
          case 'fault': h.actor.send({ type: 'DEVICE_FAULT', device: 'controller', code: 'TIMEOUT' }); break;
          case 'ok': h.actor.send({ type: 'DEVICE_OK', device: 'controller' }); break;
          case 'fire': h.actor.send({ type: 'FIRE_ALARM', active: true }); break;
          case 'fireOff': h.actor.send({ type: 'FIRE_ALARM', active: false }); break;
          case 'reset': h.actor.send({ type: 'RESET', by: 't' }); break;
          case 'wait': await h.advance(s.ms); break;
        }
        const snap = h.actor.getSnapshot();
        const o = h.outputs();
        if (snap.matches({ in_service: 'exit' })) matched = true;
        if (snap.matches({ in_service: 'idle' })) matched = false;
        const emergency = snap.matches('emergency');
        if (o.exit_release) assert.ok(emergency || (snap.matches({ in_service: 'exit' }) && matched), `exit open in ${JSON.stringify(snap.value)}`);
        if (o.entry_release) {
          const tokenOk = snap.context.crossing?.token?.ok === true;
          const allowed =
            emergency ||
            (snap.matches({ in_service: 'entry' }) && tokenOk) ||
            snap.matches({ in_service: 'tailgate' }) ||
            snap.matches({ in_service: 'refused' }) ||
            (snap.matches('out_of_service') && snap.context.releaseOccupant && !snap.context.faults.includes('controller'));
          assert.ok(allowed, `entry open in ${JSON.stringify(snap.value)}`);
        }
        if (snap.context.faults.includes('controller') && !emergency) assert.not.ok(o.entry_release || o.exit_release, 'no door opened while the controller is silent');
      }
      // Every crossing that started finished at most once, and none finished without starting.
      const started = h.journal('crossing_started').map((f) => f.data.crossing);
      const finished = h.journal('crossing_finished').map((f) => f.data.crossing);
      assert.is(new Set(finished).size, finished.length, 'a crossing finished twice');
      for (const id of finished) assert.ok(started.includes(id));
      const open = h.actor.getSnapshot().context.crossing;
      assert.is(started.length, finished.length + (open ? 1 : 0), 'every crossing ends with one outcome');
    }), propertyRun('pedestrian-safety #1', { numRuns: 1500 }),
  );
});

test.run();
