import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { vehicleHarness } from './vehicle-harness.ts';

test('starts out of service, enters service after 5 s healthy: arm down, red lamp, car pictogram', async () => {
  const h = vehicleHarness().start();
  assert.ok(h.matches('out_of_service'));
  assert.ok(h.outputs().out_of_service_sign);
  await h.advance(4999);
  assert.ok(h.matches('out_of_service'));
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'idle' }));
  assert.equal(h.outputs(), { barrier_raise: false, green: false, red: true, buzzer: false, out_of_service_sign: false });
  assert.is(h.screen().pictogram, 'car');
  assert.ok(h.screen().zh.length > 0);
});

test('a car stops, the driver shows a token and the face, the arm rises, the car passes, the arm lowers: CLEARED', async () => {
  const h = await vehicleHarness().inService();
  h.arrive();
  assert.ok(h.matches({ in_service: { session: 'waiting_token' } }));
  assert.is(h.journal('crossing_started').length, 1, 'loop_approach starts the session');
  assert.is(h.screen().screen, 'present');
  await h.advance(2500);
  await h.token('alice', 'card');
  assert.ok(h.matches({ in_service: { session: 'face' } }));
  assert.is(h.faceLoops, 1);
  assert.not.ok(h.outputs().barrier_raise, 'a valid token alone never raises the arm');
  await h.advance(400);
  h.face({ decision: 'poor_quality', score: null, issues: ['too_bright'] });
  assert.is(h.screen().hint?.en, 'Glare on the window — lower it fully');
  h.face({ decision: 'match', score: 0.71, otherFaces: 1 });
  assert.ok(h.matches({ in_service: { passing: 'waiting' } }), 'a passenger beside the driver does not stop the decision');
  assert.is(h.faceLoopsStopped, 1);
  assert.equal(h.outputs(), { barrier_raise: true, green: true, red: false, buzzer: false, out_of_service_sign: false });
  await h.advance(1500);
  h.io({ barrier_down: false });
  h.io({ loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  assert.ok(h.matches({ in_service: { passing: 'under' } }));
  await h.advance(1500);
  h.io({ loop_barrier: false, loop_exit: true }, { vehicle_count: 0 });
  assert.ok(h.matches({ in_service: 'lowering' }));
  assert.not.ok(h.outputs().barrier_raise, 'the arm lowers once the car is past loop_exit and off loop_barrier');
  h.io({ loop_exit: false });
  await h.advance(1500);
  assert.ok(h.matches({ in_service: 'lowering' }), 'the session ends only with the arm down');
  h.io({ barrier_down: true });
  assert.ok(h.matches({ in_service: 'idle' }));
  const [rec] = h.finished();
  assert.equal([rec!.outcome, rec!.reason, rec!.token_type, rec!.subject], ['CLEARED', 'OK', 'mobile', 'p-alice']);
  assert.is(rec!.attempts, 1);
  assert.is(rec!.match_score, 0.71);
  assert.is(rec!.durations.entry_ms, 2500);
  assert.is(rec!.durations.token_ms, 0);
  assert.is(rec!.durations.face_ms, 400);
  assert.is(rec!.durations.exit_ms, 4500);
  assert.is(rec!.durations.total_ms, 7400);
  assert.equal(h.journal().map((f) => f.event).slice(1), ['mode_changed', 'crossing_started', 'token_checked', 'face_attempt', 'face_attempt', 'crossing_finished']);
});

test('loops in another order: loop_exit before loop_barrier clears, a gap between the loops, a car backing up under the arm', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.io({ loop_approach: false, loop_barrier: true, barrier_down: false }, { vehicle_count: 1 });
  h.io({ loop_exit: true });
  assert.ok(h.matches({ in_service: { passing: 'under' } }), 'still on loop_barrier: the arm stays up');
  assert.ok(h.outputs().barrier_raise);
  h.io({ loop_exit: false });
  h.io({ loop_barrier: false, loop_approach: true }, { vehicle_count: 0 });
  assert.ok(h.matches({ in_service: { passing: 'waiting' } }), 'backed up to the window');
  assert.ok(h.outputs().barrier_raise);
  h.io({ loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  h.io({ loop_barrier: false }, { vehicle_count: 0 });
  assert.ok(h.matches({ in_service: { passing: 'between' } }));
  assert.ok(h.outputs().barrier_raise, 'in the gap between the loops the arm stays up');
  h.io({ loop_exit: true });
  assert.ok(h.matches({ in_service: 'lowering' }));
  h.io({ loop_exit: false, barrier_down: true });
  assert.equal(h.outcomes(), [['CLEARED', 'OK']]);
});

test('a refused token: reason shown for 3 s, the arm never moves, the driver is sent to the staffed lane', async () => {
  const h = await vehicleHarness({ bad: { ok: false, tokenType: 'mobile', reason: 'NOT_ELIGIBLE' } }).inService();
  h.arrive();
  await h.token('bad');
  assert.ok(h.matches({ in_service: 'token_refused' }));
  assert.equal(h.outcomes(), [['REJECTED_TOKEN', 'NOT_ELIGIBLE']]);
  assert.is(h.screen().hint?.en, 'Not registered for this e-Channel');
  assert.not.ok(h.outputs().barrier_raise);
  await h.advance(2999);
  assert.ok(h.matches({ in_service: 'token_refused' }));
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'clearing' }));
  assert.is(h.screen().screen, 'staffed_lane');
  await h.token('again');
  assert.is(h.journal('token_checked').at(-1)!.data.reason, 'SESSION_OVER', 'one session per vehicle: no second try at the window');
  h.io({ loop_approach: false });
  assert.ok(h.matches({ in_service: 'idle' }));
  assert.is(h.finished().length, 1);
});

test('a token check past its 1 s budget is refused TOKEN_TIMEOUT; a token with no vehicle is ignored', async () => {
  const h = await vehicleHarness({ slow: 'hang' }).inService();
  await h.token('early');
  assert.equal(h.journal('token_checked').map((f) => f.data.reason), ['NO_VEHICLE']);
  assert.ok(h.matches({ in_service: 'idle' }));
  h.arrive();
  await h.token('slow');
  assert.ok(h.matches({ in_service: { session: 'token_check' } }));
  await h.advance(999);
  assert.ok(h.matches({ in_service: { session: 'token_check' } }));
  await h.advance(1);
  assert.equal(h.outcomes(), [['REJECTED_TOKEN', 'TOKEN_TIMEOUT']]);
});

test('a driver who shows nothing within the 30 s budget: ABANDONED NO_TOKEN, staffed lane until the car leaves', async () => {
  const h = await vehicleHarness().inService();
  h.arrive();
  await h.advance(29_999);
  assert.ok(h.matches({ in_service: { session: 'waiting_token' } }));
  await h.advance(1);
  assert.equal(h.outcomes(), [['ABANDONED', 'NO_TOKEN']]);
  assert.ok(h.matches({ in_service: 'clearing' }));
  assert.not.ok(h.outputs().barrier_raise);
  h.io({ loop_approach: false });
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('a car that reverses away before the token, during the face check, or after the arm rose: ABANDONED REVERSED', async () => {
  const h = await vehicleHarness().inService();
  h.arrive();
  await h.advance(1000);
  h.io({ loop_approach: false });
  assert.ok(h.matches({ in_service: 'idle' }));
  h.arrive();
  await h.token('bob');
  assert.ok(h.matches({ in_service: { session: 'face' } }));
  h.io({ loop_approach: false });
  assert.is(h.faceLoopsStopped, 1, 'the face loop stops when the car leaves');
  await h.toPassing('carol');
  assert.ok(h.outputs().barrier_raise);
  h.io({ barrier_down: false });
  h.io({ loop_approach: false });
  assert.ok(h.matches({ in_service: 'lowering' }));
  assert.not.ok(h.outputs().barrier_raise, 'nothing under the arm: it comes down');
  h.io({ barrier_down: true });
  assert.equal(h.outcomes(), [['ABANDONED', 'REVERSED'], ['ABANDONED', 'REVERSED'], ['ABANDONED', 'REVERSED']]);
});

test('no match within the 8 s face budget: REJECTED_FACE; a photo held up three frames: REJECTED_PAD', async () => {
  const h = await vehicleHarness().inService();
  h.arrive();
  await h.token('dan');
  h.face({ decision: 'no_match', score: 0.12 });
  await h.advance(7999);
  assert.ok(h.matches({ in_service: { session: 'face' } }));
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'clearing' }));
  assert.not.ok(h.outputs().barrier_raise);
  h.io({ loop_approach: false });
  h.arrive();
  await h.token('eve');
  h.face({ decision: 'spoof', score: 0.8, liveness: 0.1 });
  h.face({ decision: 'spoof', score: 0.8, liveness: 0.1 });
  assert.ok(h.matches({ in_service: { session: 'face' } }));
  h.face({ decision: 'spoof', score: 0.8, liveness: 0.1 });
  assert.equal(h.outcomes(), [['REJECTED_FACE', 'NO_MATCH'], ['REJECTED_PAD', 'PRESENTATION_ATTACK']]);
  assert.is(h.screen().screen, 'staffed_lane');
  assert.not.ok(h.outputs().barrier_raise);
});

test('a second car following close behind: alarm, buzzer, arm held up until loop_barrier clears, officer referral, TAILGATE', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.io({ barrier_down: false, loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  h.io({ loop_approach: true });
  h.io({ loop_approach: false }, { vehicle_count: 2 });
  assert.ok(h.matches({ in_service: 'tailgate' }));
  assert.is(h.journal('alarm_raised').at(-1)!.data.alarm, 'TAILGATE');
  assert.equal(h.outputs(), { barrier_raise: true, green: false, red: true, buzzer: true, out_of_service_sign: false });
  assert.is(h.screen().screen, 'second_vehicle');
  h.io({ loop_exit: true }, { vehicle_count: 1 });
  assert.ok(h.outputs().barrier_raise, 'still a vehicle under the arm');
  h.io({ loop_barrier: false }, { vehicle_count: 0 });
  assert.ok(h.matches({ in_service: 'lowering' }));
  assert.is(h.journal('alarm_cleared').at(-1)!.data.alarm, 'TAILGATE');
  h.io({ loop_exit: false, barrier_down: true });
  assert.equal(h.outcomes(), [['TAILGATE', 'SECOND_VEHICLE']]);
});

test('a vehicle on loop_barrier while the arm is lowering: it goes back up (never onto the car), TAILGATE', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.driveThrough();
  assert.ok(h.matches({ in_service: 'lowering' }));
  assert.not.ok(h.outputs().barrier_raise);
  h.io({ loop_barrier: true }, { vehicle_count: 1 });
  assert.ok(h.matches({ in_service: 'tailgate' }));
  assert.ok(h.outputs().barrier_raise);
  h.io({ loop_barrier: false }, { vehicle_count: 0 });
  h.io({ barrier_down: true });
  assert.equal(h.outcomes(), [['TAILGATE', 'SECOND_VEHICLE']]);
  // A car pulling onto loop_barrier in front of an arm that is already down is not under it.
  h.io({ loop_barrier: true });
  assert.ok(h.matches({ in_service: 'idle' }));
  assert.not.ok(h.outputs().barrier_raise);
});

test('a car that does not move within the pass timeout: buzzer and PASS_TIMEOUT alarm, cleared when it has passed', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.io({ barrier_down: false });
  await h.advance(29_999);
  assert.not.ok(h.outputs().buzzer);
  await h.advance(1);
  assert.ok(h.outputs().buzzer && h.outputs().barrier_raise);
  assert.is(h.screen().screen, 'drive_on_now');
  assert.is(h.journal('alarm_raised').at(-1)!.data.alarm, 'PASS_TIMEOUT');
  h.driveThrough();
  h.io({ barrier_down: true });
  assert.equal(h.outcomes(), [['CLEARED', 'OK']]);
  assert.is(h.journal('alarm_cleared').at(-1)!.data.alarm, 'PASS_TIMEOUT');
});

test('a loop that loses the car between the loops: LOOP_FAULT, ABORTED_FAULT, arm down, out of service until a technician', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.io({ barrier_down: false, loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  h.io({ loop_barrier: false }, { vehicle_count: 0 });
  await h.advance(29_999);
  assert.ok(h.matches({ in_service: { passing: 'between' } }));
  await h.advance(1);
  assert.ok(h.matches('out_of_service'));
  assert.equal(h.outcomes(), [['ABORTED_FAULT', 'LOOP_FAULT']]);
  assert.is(h.journal('device_fault').at(-1)!.data.device, 'loops');
  assert.not.ok(h.outputs().barrier_raise);
  h.io({ barrier_down: true });
  await h.advance(60_000);
  assert.ok(h.matches('out_of_service'), 'a loop fault does not clear by itself');
  h.actor.send({ type: 'SET_MODE', mode: 'maintenance', by: 'tech1' });
  assert.ok(h.matches('maintenance'));
  assert.is(h.journal('device_recovered').at(-1)!.data.device, 'loops');
  h.actor.send({ type: 'SET_MODE', mode: 'in_service', by: 'tech1' });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('the arm meets an obstruction while lowering: ABORTED_FAULT BARRIER_OBSTRUCTED, back in service 5 s after it clears', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.driveThrough();
  h.io({}, { fault_bits: 4 });
  assert.ok(h.matches('out_of_service'));
  assert.equal(h.outcomes(), [['ABORTED_FAULT', 'BARRIER_OBSTRUCTED']]);
  assert.is(h.journal('mode_changed').at(-1)!.data.reason, 'fault:barrier_obstructed');
  assert.not.ok(h.outputs().barrier_raise);
  h.io({ barrier_down: true }, { fault_bits: 0 });
  await h.advance(4999);
  assert.ok(h.matches('out_of_service'));
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('a device fault with a car under the arm: ABORTED_FAULT, the arm stays up until the car has cleared, then lowers', async () => {
  const h = await vehicleHarness().inService();
  await h.toPassing();
  h.io({ barrier_down: false, loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  h.actor.send({ type: 'DEVICE_FAULT', device: 'camera', code: 'STALLED' });
  assert.ok(h.matches('out_of_service'));
  assert.equal(h.outcomes(), [['ABORTED_FAULT', 'DEVICE_FAULT']]);
  assert.ok(h.outputs().barrier_raise, 'never lowered onto the car');
  h.io({ loop_barrier: false, loop_exit: true }, { vehicle_count: 0 });
  assert.not.ok(h.outputs().barrier_raise);
  h.io({ loop_exit: false, barrier_down: true });
  h.actor.send({ type: 'DEVICE_OK', device: 'camera' });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('fire alarm: emergency, arm up, ABORTED_EMERGENCY; when it clears the arm lowers only with the loop clear; reset by a technician', async () => {
  const h = await vehicleHarness().inService();
  h.arrive();
  await h.token('fay');
  h.actor.send({ type: 'FIRE_ALARM', active: true });
  assert.ok(h.matches({ emergency: 'active' }));
  assert.equal(h.outcomes(), [['ABORTED_EMERGENCY', 'FIRE_ALARM']]);
  assert.ok(h.outputs().barrier_raise && h.outputs().buzzer);
  assert.is(h.screen().screen, 'emergency');
  h.io({ barrier_down: false, loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
  h.actor.send({ type: 'FIRE_ALARM', active: false });
  assert.ok(h.matches({ emergency: 'awaiting_reset' }));
  assert.ok(h.outputs().barrier_raise, 'a car is under the arm');
  h.io({ loop_barrier: false }, { vehicle_count: 0 });
  assert.not.ok(h.outputs().barrier_raise);
  h.io({ barrier_down: true });
  await h.advance(60_000);
  assert.ok(h.matches({ emergency: 'awaiting_reset' }));
  h.actor.send({ type: 'RESET', by: 'tech2' });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
  assert.ok(h.journal('emergency_ended').length === 1);
});

test('maintenance is refused during a session and taken from idle; out of service on command', async () => {
  const h = await vehicleHarness().inService();
  h.arrive();
  h.actor.send({ type: 'SET_MODE', mode: 'maintenance', by: 'tech' });
  assert.ok(h.facts.some((f) => f.type === 'refused'));
  assert.ok(h.matches({ in_service: 'session' }));
  h.io({ loop_approach: false });
  h.actor.send({ type: 'SET_MODE', mode: 'out_of_service', by: 'tech' });
  assert.ok(h.matches({ out_of_service: 'commanded' }));
  assert.is(h.screen().screen, 'closed');
  h.actor.send({ type: 'SET_MODE', mode: 'in_service', by: 'tech' });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test.run();
