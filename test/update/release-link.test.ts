import { EventEmitter } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { worldQr } from '../../kiosk/tokens/token-world.ts';
import type { FromRelease, ToRelease } from '../../kiosk/update/release-ipc.ts';
import { ReleaseLink, type ReleaseChannel } from '../../kiosk/update/release-link.ts';
import { selfTestCrossing } from '../../kiosk/update/self-test-crossing.ts';
import { startTestGate, waitFor, type TestGate } from '../cli/harness.ts';

/**
 * The gate's end of the update link on a real simulated gate (plant model behind the door
 * twin): a drain requested mid-crossing waits for that crossing to finish, then the lane is
 * out of service and every door stays closed — checked at the plant every few ms, through the
 * self-test crossing on the twin too — until the launcher resumes it. The self-test is refused
 * while the lane is in service.
 */
let g: TestGate | undefined;

test.after(async () => {
  await g?.close();
});

test('drain waits for the crossing in progress; doors closed at the plant from drained to resumed', async () => {
  g = await startTestGate({ config: { timings: { healthyBeforeServiceMs: 200, entryTimeoutMs: 2000 } } });
  const gate = g;
  const toGate = new EventEmitter();
  const got: FromRelease[] = [];
  const arrived = new EventEmitter();
  const channel: ReleaseChannel = {
    send: (m) => {
      got.push(m);
      arrived.emit('m', m);
    },
    onMessage: (fn) => toGate.on('m', fn),
    onDisconnect: () => {},
  };
  const link = new ReleaseLink(gate.control, channel, { clock: new SystemClock(), log: silentLogger(), isAlive: () => gate.gate.binding.isControlLoopAlive(), selfTest: () => selfTestCrossing(gate.gate.deps.engine) });
  const next = (t: FromRelease['t']): Promise<FromRelease> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${t}' within 30 s`)), 30_000);
      const on = (m: FromRelease): void => {
        if (m.t !== t) return;
        clearTimeout(timer);
        arrived.off('m', on);
        resolve(m);
      };
      arrived.on('m', on);
    });
  const send = (m: ToRelease): boolean => toGate.emit('m', m);
  link.ready('1.0.0');
  assert.equal(got[0], { t: 'ready', release: '1.0.0' });
  const refused = next('self_test');
  send({ t: 'self_test?' });
  const r0 = (await refused) as Extract<FromRelease, { t: 'self_test' }>;
  assert.is(r0.ok, false);
  assert.match(r0.detail ?? '', /not out of service/);

  let finishedAt = 0;
  gate.control.on('crossing_finished', () => (finishedAt = performance.now()));
  gate.world.nowMs = Date.now();
  gate.scanner.scan(worldQr(gate.world));
  await waitFor(() => gate.control.status().inCrossing, 5000, 'a crossing');
  const drained = next('drained');
  send({ t: 'drain' });
  await drained;
  const drainedAt = performance.now();
  assert.ok(finishedAt > 0 && finishedAt <= drainedAt, 'the crossing finished before the lane was drained');
  assert.is(gate.control.status().mode, 'out_of_service');

  // The switch window: sample the plant until resumed.
  const bad: string[] = [];
  const doors = (): void => {
    const p = gate.plant;
    if (p.role('entry_closed') !== true || p.role('exit_closed') !== true) bad.push(`door open at ${Math.round(performance.now() - drainedAt)} ms`);
    if (p.role('entry_release') === true || p.role('exit_release') === true) bad.push(`release coil on at ${Math.round(performance.now() - drainedAt)} ms`);
  };
  const sampler = setInterval(doors, 5);
  try {
    const health = next('health');
    send({ t: 'health?' });
    const h = (await health) as Extract<FromRelease, { t: 'health' }>;
    assert.ok(Object.values(h.devices).every((d) => d.healthy), JSON.stringify(h.devices));
    assert.ok(Object.values(h.checks).every((c) => c.ok), JSON.stringify(h.checks));
    const selfTest = next('self_test');
    send({ t: 'self_test?' });
    const st = (await selfTest) as Extract<FromRelease, { t: 'self_test' }>;
    assert.ok(st.ok, st.detail);
    assert.equal(st.outcomes, { genuine: 'CLEARED/OK', impostor: 'REJECTED_FACE/NO_MATCH' });
    assert.is(gate.control.status().mode, 'out_of_service', 'the lane stays out of service through the self-test');
    // A traveller scanning during the switch is not let in.
    gate.world.nowMs = Date.now();
    gate.scanner.scan(worldQr(gate.world));
    await new Promise((r) => setTimeout(r, 1500));
    doors();
    assert.is(gate.control.status().inCrossing, false, 'no crossing starts out of service');
  } finally {
    clearInterval(sampler);
  }
  assert.equal(bad, [], 'doors closed throughout the switch window');
  const resumed = next('resumed');
  send({ t: 'resume' });
  await resumed;
  await waitFor(() => gate.control.status().state === 'in_service.idle', 10_000, 'back in service');
});

test.run();
