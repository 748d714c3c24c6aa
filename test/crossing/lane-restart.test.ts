import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pedestrianScreen } from '../../kiosk/display/pedestrian-screen.ts';
import { pedestrianHarness } from './harness.ts';
import { vehicleHarness } from './vehicle-harness.ts';

// Issue 11 items 1, 2 and 3(c) at the statechart: what a lane does when a fire alarm clears,
// what it resumes after a restart, and a forced door. The binding-level tests (fire input
// debounce, the state file, forced-door detection) are in lane-binding.test.ts.

test('fire alarm clears: the exit shuts at once, the entry lets the last person out, then the lane is closed awaiting the reset', async () => {
  const h = await pedestrianHarness().inService();
  h.io({ zone_mantrap: true }, { mantrap_occupancy: 1 });
  h.actor.send({ type: 'FIRE_ALARM', active: true });
  assert.ok(h.outputs().entry_release && h.outputs().exit_release, 'both doors open in the emergency');
  h.actor.send({ type: 'FIRE_ALARM', active: false });
  assert.ok(h.matches({ emergency: 'awaiting_reset' }));
  assert.not.ok(h.outputs().exit_release, 'nobody crosses without a decision once the alarm has cleared');
  assert.ok(h.outputs().entry_release, 'the person still inside leaves by the entry');
  assert.is(pedestrianScreen(h.actor.getSnapshot()).screen, 'leave');
  h.io({ zone_mantrap: false }, { mantrap_occupancy: 0 });
  const o = h.outputs();
  assert.equal([o.entry_release, o.exit_release, o.out_of_service_sign, o.buzzer, o.entry_green], [false, false, true, false, false]);
  assert.is(pedestrianScreen(h.actor.getSnapshot()).screen, 'awaiting_reset', 'the screen says closed and the doors are closed');
  await h.advance(60_000);
  assert.ok(h.matches({ emergency: 'awaiting_reset' }), 'only a technician reset ends it');
  h.actor.send({ type: 'RESET', by: 'tech' });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('vehicle lane: after the alarm clears the lamps say closed (red), not the emergency green', async () => {
  const h = await vehicleHarness().inService();
  h.actor.send({ type: 'FIRE_ALARM', active: true });
  assert.ok(h.outputs().green && h.outputs().barrier_raise);
  h.actor.send({ type: 'FIRE_ALARM', active: false });
  const o = h.outputs();
  assert.equal([o.green, o.red, o.out_of_service_sign, o.barrier_raise], [false, true, true, false]);
  assert.is(h.screen().screen, 'awaiting_reset');
});

for (const commanded of ['maintenance', 'out_of_service'] as const) {
  test(`restart: a lane commanded ${commanded} comes back ${commanded}, not in service 5 s later`, async () => {
    const h = pedestrianHarness({}, { resume: { commanded, emergency: 'none', latched: [] } }).start();
    await h.advance(60_000);
    assert.ok(h.matches(commanded === 'maintenance' ? 'maintenance' : { out_of_service: 'commanded' }), JSON.stringify(h.state()));
    const v = vehicleHarness({}, {}, { resume: { commanded, emergency: 'none', latched: [] } }).start();
    await v.advance(60_000);
    assert.ok(v.matches(commanded === 'maintenance' ? 'maintenance' : { out_of_service: 'commanded' }), v.state());
  });
}

test('restart: an emergency the killed process left open ends with one emergency_ended once the fire input reads off', async () => {
  const h = pedestrianHarness({}, { resume: { commanded: 'in_service', emergency: 'active', latched: [] } });
  h.actor.start();
  h.io({});
  assert.ok(h.matches('starting'), 'nothing decided before the fire input is known');
  h.actor.send({ type: 'FIRE_ALARM', active: false });
  assert.ok(h.matches({ emergency: 'awaiting_reset' }));
  assert.is(h.journal('emergency_started').length, 0, 'no second emergency_started for the same emergency');
  assert.is(h.journal('emergency_ended').length, 1);
  await h.advance(60_000);
  assert.ok(h.matches({ emergency: 'awaiting_reset' }), 'still waits for the technician');
});

test('restart: a lane awaiting the technician reset still awaits it', async () => {
  const h = pedestrianHarness({}, { resume: { commanded: 'in_service', emergency: 'awaiting_reset', latched: [] } }).start();
  await h.advance(60_000);
  assert.ok(h.matches({ emergency: { awaiting_reset: 'closed' } }));
  assert.is(h.journal('emergency_ended').length + h.journal('emergency_started').length, 0);
});

test('mode set out_of_service while recovering from a fault is honoured, not ignored', async () => {
  const h = await pedestrianHarness().inService();
  h.actor.send({ type: 'DEVICE_FAULT', device: 'camera', code: 'STALLED' });
  h.actor.send({ type: 'DEVICE_OK', device: 'camera' });
  assert.ok(h.matches({ out_of_service: 'recovering' }));
  h.actor.send({ type: 'SET_MODE', mode: 'out_of_service', by: 'central' });
  await h.advance(60_000);
  assert.ok(h.matches({ out_of_service: 'commanded' }), JSON.stringify(h.state()));
  const v = await vehicleHarness().inService();
  v.actor.send({ type: 'DEVICE_FAULT', device: 'camera', code: 'STALLED' });
  v.actor.send({ type: 'SET_MODE', mode: 'out_of_service', by: 'central' });
  v.actor.send({ type: 'DEVICE_OK', device: 'camera' });
  await v.advance(60_000);
  assert.ok(v.matches({ out_of_service: 'commanded' }), v.state());
});

test('vehicle restart with a car under the raised arm: the arm stays up, the lane stays closed until the lane is empty', async () => {
  const h = vehicleHarness({}, {}, { inputs: { barrier_down: false, loop_barrier: true }, registers: { vehicle_count: 1 } }).start();
  assert.ok(h.outputs().barrier_raise, 'never commanded down onto the car');
  await h.advance(60_000);
  assert.ok(h.matches('out_of_service'), 'closed to new sessions while the car is there');
  assert.ok(h.outputs().barrier_raise);
  h.io({ loop_barrier: false, loop_exit: true }, { vehicle_count: 0 });
  assert.not.ok(h.outputs().barrier_raise, 'down once nothing is under it');
  h.io({ loop_exit: false });
  await h.advance(10_000);
  assert.ok(h.matches('out_of_service'), 'not in service before the arm reads down');
  h.io({ barrier_down: true });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
  // The controller silent at the start: the lane resumes without a report; the first one adopts the arm.
  const late = vehicleHarness();
  late.actor.start();
  late.actor.send({ type: 'DEVICE_FAULT', device: 'controller', code: 'NOT_CONNECTED' });
  assert.ok(late.matches('out_of_service'));
  late.io({ barrier_down: false, loop_barrier: true }, { vehicle_count: 1 });
  assert.ok(late.outputs().barrier_raise, 'the first report keeps the arm up over the car');
  // A car waiting in front of an arm found down and locked is not under it: the arm stays down.
  const g = vehicleHarness({}, {}, { inputs: { barrier_down: true, loop_barrier: true }, registers: { vehicle_count: 1 } }).start();
  assert.not.ok(g.outputs().barrier_raise, 'no car is let through without a decision');
});

test('a car that drove on and was never seen on loop_exit: no PASS_TIMEOUT alarm, the loop fault instead', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.io({ barrier_down: false, loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  await h.advance(2000);
  h.io({ loop_barrier: false }, { vehicle_count: 0 });
  await h.advance(29_000);
  assert.equal(h.journal('alarm_raised').map((f) => f.data.alarm), [], 'the car is not stalled: it drove on');
  await h.advance(1000);
  assert.equal(h.outcomes(), [['ABORTED_FAULT', 'LOOP_FAULT']]);
  assert.equal(h.journal('alarm_raised').map((f) => f.data.alarm), []);
  // A car that really does not drive on still gets its alarm.
  const s = await vehicleHarness().inService();
  await s.toPassing();
  s.io({ barrier_down: false, loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  await s.advance(30_000);
  assert.equal(s.journal('alarm_raised').map((f) => f.data.alarm), ['PASS_TIMEOUT']);
});

test('DOOR_FORCED: alarm journalled, crossing aborted, out of service with the buzzer until a technician', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('t1');
  h.actor.send({ type: 'DOOR_FORCED', door: 'exit' });
  assert.ok(h.matches('out_of_service'));
  assert.equal(h.journal('alarm_raised').map((f) => [f.data.alarm, f.data.door]), [['DOOR_FORCED', 'exit']]);
  assert.equal(h.finished().map((r) => [r.outcome, r.reason]), [['ABORTED_FAULT', 'DOOR_FORCED']]);
  assert.ok(h.outputs().buzzer && !h.outputs().exit_release);
  assert.match(String(h.journal('mode_changed').at(-1)!.data.reason), /door_forced:exit/);
  await h.advance(60_000);
  assert.ok(h.matches('out_of_service'), 'does not clear by itself');
  h.actor.send({ type: 'SET_MODE', mode: 'maintenance', by: 'tech' });
  assert.equal(h.journal('alarm_cleared').map((f) => [f.data.alarm, f.data.by]), [['DOOR_FORCED', 'tech']]);
  h.actor.send({ type: 'SET_MODE', mode: 'in_service', by: 'tech' });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
  const v = await vehicleHarness().inService();
  v.actor.send({ type: 'DOOR_FORCED', door: 'barrier' });
  assert.ok(v.matches('out_of_service') && v.outputs().buzzer);
});

test('restart: a forced door still latched comes back latched', async () => {
  const h = pedestrianHarness({}, { resume: { commanded: 'in_service', emergency: 'none', latched: ['door_forced:entry'] } }).start();
  await h.advance(60_000);
  assert.ok(h.matches('out_of_service'));
  const v = vehicleHarness({}, {}, { resume: { commanded: 'in_service', emergency: 'none', latched: ['loops'] } }).start();
  await v.advance(60_000);
  assert.ok(v.matches('out_of_service') && v.actor.getSnapshot().context.loopFault);
});

test.run();
