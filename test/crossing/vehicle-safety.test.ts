import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { vehicleHarness } from './vehicle-harness.ts';
import { propertyRun } from '../helpers/property.ts';

type Step =
  | { k: 'loop'; role: 'loop_approach' | 'loop_barrier' | 'loop_exit' | 'barrier_down'; v: boolean }
  | { k: 'count'; n: number }
  | { k: 'obstructed'; v: boolean }
  | { k: 'token'; ok: boolean }
  | { k: 'face'; decision: 'match' | 'no_match' | 'spoof' | 'no_face' }
  | { k: 'fault' | 'ok' | 'fire' | 'fireOff' | 'reset' | 'maintenance' | 'service' }
  | { k: 'wait'; ms: number };

const loopOrBarrier = fc.record({ k: fc.constant('loop' as const), role: fc.constantFrom('loop_approach' as const, 'loop_barrier' as const, 'loop_exit' as const, 'barrier_down' as const), v: fc.boolean() });
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: loopOrBarrier, weight: 8 },
  { arbitrary: fc.record({ k: fc.constant('count' as const), n: fc.integer({ min: 0, max: 2 }) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('obstructed' as const), v: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('token' as const), ok: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('face' as const), decision: fc.constantFrom('match' as const, 'no_match' as const, 'spoof' as const, 'no_face' as const) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constantFrom('fault' as const, 'ok' as const, 'fire' as const, 'fireOff' as const, 'reset' as const, 'maintenance' as const, 'service' as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 35_000 }) }), weight: 2 },
);

test('random loop and barrier sequences: never lowered onto a vehicle, never raised without a decision, one outcome per crossing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
      const h = await vehicleHarness({ no: { ok: false, tokenType: 'mobile', reason: 'REVOKED' } }).inService();
      const io = { loop_barrier: false, count: 0 };
      let raised = h.outputs().barrier_raise;
      for (const s of steps) {
        switch (s.k) {
          case 'loop':
            if (s.role === 'loop_barrier') io.loop_barrier = s.v;
            h.io({ [s.role]: s.v });
            break;
          case 'count': io.count = s.n; h.io({}, { vehicle_count: s.n }); break;
          case 'obstructed': h.io({}, { fault_bits: s.v ? 4 : 0 }); break;
          case 'token': await h.token(s.ok ? 'yes' : 'no'); break;
          case 'face': h.face({ decision: s.decision, score: s.decision === 'match' ? 0.8 : 0.1 }); break;
          case 'fault': h.actor.send({ type: 'DEVICE_FAULT', device: 'controller', code: 'TIMEOUT' }); break;
          case 'ok': h.actor.send({ type: 'DEVICE_OK', device: 'controller' }); break;
          case 'fire': h.actor.send({ type: 'FIRE_ALARM', active: true }); break;
          case 'fireOff': h.actor.send({ type: 'FIRE_ALARM', active: false }); break;
          case 'reset': h.actor.send({ type: 'RESET', by: 't' }); break;
          case 'maintenance': h.actor.send({ type: 'SET_MODE', mode: 'maintenance', by: 't' }); break;
          case 'service': h.actor.send({ type: 'SET_MODE', mode: 'in_service', by: 't' }); break;
          case 'wait': await h.advance(s.ms); break;
        }
        const snap = h.actor.getSnapshot();
        const up = h.outputs().barrier_raise;
        const where = `${h.state()} after ${JSON.stringify(s)}`;
        if (raised && !up) assert.not.ok(io.loop_barrier || io.count > 0, `arm commanded down with a vehicle under it in ${where}`);
        if (!raised && up) {
          const c = snap.context.crossing;
          const matched = c !== null && h.journal('face_attempt').some((f) => f.data.crossing === c.id && f.data.decision === 'match');
          const decided = c !== null && c.token?.ok === true && matched;
          assert.ok(snap.context.fireAlarm || decided, `arm raised without a decision in ${where}`);
        }
        raised = up;
      }
      const started = h.journal('crossing_started').map((f) => f.data.crossing);
      const finished = h.journal('crossing_finished').map((f) => f.data.crossing);
      assert.is(new Set(finished).size, finished.length, 'a crossing finished twice');
      for (const id of finished) assert.ok(started.includes(id), 'finished without starting');
      const open = h.actor.getSnapshot().context.crossing;
      assert.is(started.length, finished.length + (open ? 1 : 0), 'every crossing ends with one outcome');
    }), propertyRun('vehicle-safety #1', { numRuns: 3000 }),
  );
});

test.run();
