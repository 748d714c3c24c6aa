import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pedestrianHarness } from './harness.ts';

test('starts out of service and enters service after devices are healthy for 5 s', async () => {
  const h = pedestrianHarness().start();
  assert.ok(h.matches('out_of_service'));
  assert.ok(h.outputs().out_of_service_sign);
  await h.advance(4999);
  assert.ok(h.matches('out_of_service'));
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'idle' }));
  assert.equal(h.outputs(), { ...h.outputs(), entry_green: true, entry_release: false, exit_release: false });
});

test('a valid token, a walk-in, a face match and a walk-out clear the traveller', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('alice');
  assert.ok(h.matches({ in_service: { entry: 'open' } }));
  assert.ok(h.outputs().entry_release, 'entry door opens after a valid token');
  assert.not.ok(h.outputs().exit_release);
  await h.advance(1200);
  h.walkIn();
  assert.ok(h.matches({ in_service: 'face' }));
  assert.is(h.faceLoops, 1);
  assert.not.ok(h.outputs().entry_release);
  await h.advance(700);
  h.face({ decision: 'no_match', score: 0.1, issues: ['pose'] });
  assert.ok(h.matches({ in_service: 'face' }));
  h.face({ decision: 'match', score: 0.72 });
  assert.ok(h.matches({ in_service: { exit: 'open' } }));
  assert.is(h.faceLoopsStopped, 1, 'the face loop stops when the decision is made');
  assert.ok(h.outputs().exit_release && h.outputs().exit_green);
  await h.advance(1500);
  h.walkOut();
  assert.ok(h.matches({ in_service: 'idle' }));
  const [rec] = h.finished();
  assert.is(rec!.outcome, 'CLEARED');
  assert.is(rec!.subject, 'p-alice');
  assert.is(rec!.attempts, 2);
  assert.is(rec!.match_score, 0.72);
  assert.is(rec!.durations.entry_ms, 1200);
  assert.is(rec!.durations.face_ms, 700);
  assert.is(rec!.durations.exit_ms, 1500);
  assert.is(rec!.durations.total_ms, 3400);
  assert.equal(h.journal().map((f) => f.event), ['mode_changed', 'mode_changed', 'crossing_started', 'token_checked', 'face_attempt', 'face_attempt', 'crossing_finished']);
});

test('a refused token shows the reason for 3 s, never opens the entry, and returns to idle', async () => {
  const h = await pedestrianHarness({ bad: { ok: false, tokenType: 'mobile', reason: 'REPLAY' } }).inService();
  await h.token('bad');
  assert.ok(h.matches({ in_service: 'token_refused' }));
  assert.ok(h.outputs().entry_red);
  assert.not.ok(h.outputs().entry_release);
  assert.equal(h.finished().map((r) => [r.outcome, r.reason]), [['REJECTED_TOKEN', 'REPLAY']]);
  await h.advance(2999);
  assert.ok(h.matches({ in_service: 'token_refused' }));
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('a token check that exceeds its 1 s budget is refused', async () => {
  const h = await pedestrianHarness({ slow: 'hang' }).inService();
  await h.token('slow');
  assert.ok(h.matches({ in_service: 'token_check' }));
  await h.advance(1000);
  assert.equal(h.finished().map((r) => [r.outcome, r.reason]), [['REJECTED_TOKEN', 'TOKEN_TIMEOUT']]);
});

test('nobody enters within 10 s: the entry closes and the crossing is ABANDONED', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('bob');
  h.io({ entry_closed: false });
  await h.advance(9999);
  assert.ok(h.matches({ in_service: 'entry' }));
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'abandoned' }));
  assert.not.ok(h.outputs().entry_release);
  assert.equal(h.finished().map((r) => [r.outcome, r.reason]), [['ABANDONED', 'NOT_ENTERED']]);
  h.io({ entry_closed: true });
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('the entry door stays open while a second person stands in the approach zone', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('carol');
  h.io({ entry_closed: false });
  h.io({ zone_mantrap: true, zone_approach: true }, { mantrap_occupancy: 1 });
  assert.ok(h.matches({ in_service: { entry: 'open' } }));
  h.io({ zone_approach: false });
  assert.ok(h.matches({ in_service: { entry: 'closing' } }));
});

test('tailgating: exit stays shut, entry reopens with buzzer; back to one resumes the crossing', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('dan');
  h.walkIn();
  h.io({ zone_mantrap: true }, { mantrap_occupancy: 2 });
  assert.ok(h.matches({ in_service: 'tailgate' }));
  const o = h.outputs();
  assert.ok(o.entry_release && o.buzzer && !o.exit_release);
  assert.equal(h.journal('alarm_raised').map((f) => f.data.alarm), ['TAILGATE']);
  h.face({ decision: 'match' });
  assert.ok(h.matches({ in_service: 'tailgate' }), 'a face match during tailgating does not open the exit');
  h.io({ entry_closed: false }, { mantrap_occupancy: 1 });
  assert.ok(h.matches({ in_service: { tailgate: 'settling' } }));
  h.io({}, { mantrap_occupancy: 2 });
  await h.advance(1000);
  assert.ok(h.matches({ in_service: { tailgate: 'waiting' } }), 'a flicker back to two restarts the wait');
  h.io({}, { mantrap_occupancy: 1 });
  await h.advance(1500);
  assert.ok(h.matches({ in_service: { entry: 'closing' } }));
  assert.equal(h.journal('alarm_cleared').map((f) => f.data.alarm), ['TAILGATE']);
  h.io({ entry_closed: true });
  assert.ok(h.matches({ in_service: 'face' }));
  h.face({ decision: 'match' });
  h.walkOut();
  assert.equal(h.finished().map((r) => r.outcome), ['CLEARED']);
});

test('tailgating not resolved in 20 s ends TAILGATE and refers the traveller to the counter', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('erin');
  h.walkIn();
  h.io({}, { mantrap_occupancy: 2 });
  await h.advance(20000);
  assert.ok(h.matches({ in_service: { refused: 'open' } }));
  assert.ok(h.outputs().entry_release && !h.outputs().exit_release);
  h.io({ zone_mantrap: false, entry_closed: false }, { mantrap_occupancy: 0 });
  assert.ok(h.matches({ in_service: { refused: 'closing' } }));
  h.io({ entry_closed: true });
  assert.equal(h.finished().map((r) => [r.outcome, r.reason]), [['TAILGATE', 'OCCUPANCY']]);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('no match within the 8 s face budget: REJECTED_FACE, entry reopens, exit stays shut', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('frank');
  h.walkIn();
  h.face({ decision: 'no_match', score: 0.12 });
  await h.advance(7999);
  assert.ok(h.matches({ in_service: 'face' }));
  await h.advance(1);
  assert.ok(h.matches({ in_service: { refused: 'open' } }));
  assert.ok(h.outputs().entry_release && !h.outputs().exit_release);
  h.io({ zone_mantrap: false }, { mantrap_occupancy: 0 });
  h.io({ entry_closed: true });
  const [rec] = h.finished();
  assert.equal([rec!.outcome, rec!.reason, rec!.match_score], ['REJECTED_FACE', 'NO_MATCH', 0.12]);
});

test('a presentation attack on consecutive frames ends REJECTED_PAD', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('gina');
  h.walkIn();
  h.face({ decision: 'spoof', liveness: 0.02 });
  h.face({ decision: 'spoof', liveness: 0.03 });
  assert.ok(h.matches({ in_service: 'face' }), 'two frames are not enough');
  h.face({ decision: 'spoof', liveness: 0.01 });
  assert.ok(h.matches({ in_service: 'refused' }));
  h.io({ zone_mantrap: false }, { mantrap_occupancy: 0 });
  assert.equal(h.finished().map((r) => r.outcome), ['REJECTED_PAD']);
});

test('a second clear face in view is treated as tailgating', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('hal');
  h.walkIn();
  h.face({ decision: 'match', otherFaces: 1 });
  assert.ok(h.matches({ in_service: 'tailgate' }));
  assert.not.ok(h.outputs().exit_release);
  assert.ok(h.outputs().entry_release && h.outputs().buzzer);
  await h.advance(1500);
  assert.ok(h.matches({ in_service: 'face' }), 'resumes once only one person stayed inside');
  h.face({ decision: 'match' });
  assert.ok(h.matches({ in_service: 'exit' }));
});

test('a traveller who lingers past 10 s sets off the buzzer; tokens meanwhile are ignored and journalled', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('ivy');
  h.walkIn();
  h.face({ decision: 'match' });
  await h.advance(10000);
  assert.ok(h.matches({ in_service: { exit: 'lingering' } }));
  assert.ok(h.outputs().buzzer && h.outputs().exit_release);
  assert.equal(h.journal('alarm_raised').map((f) => f.data.alarm), ['LINGER']);
  await h.token('jack');
  assert.ok(h.matches({ in_service: { exit: 'lingering' } }));
  assert.equal(h.journal('token_checked').map((f) => f.data.result), ['accepted', 'ignored']);
  h.walkOut();
  assert.ok(h.matches({ in_service: 'idle' }));
  assert.equal(h.journal('alarm_cleared').map((f) => f.data.alarm), ['LINGER']);
});

test('a device fault aborts the crossing, lets the traveller out by the entry once the controller answers, and returns to service after 5 s healthy', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('kim');
  h.walkIn();
  h.actor.send({ type: 'DEVICE_FAULT', device: 'controller', code: 'TIMEOUT' });
  assert.ok(h.matches({ out_of_service: 'faulty' }));
  assert.equal(h.finished().map((r) => r.outcome), ['ABORTED_FAULT']);
  assert.not.ok(h.outputs().entry_release, 'no door command while the controller is silent');
  h.actor.send({ type: 'DEVICE_OK', device: 'controller' });
  assert.ok(h.outputs().entry_release, 'the traveller inside is let out through the entry');
  assert.not.ok(h.outputs().exit_release);
  h.io({ zone_mantrap: false }, { mantrap_occupancy: 0 });
  assert.not.ok(h.outputs().entry_release);
  await h.advance(4999);
  assert.ok(h.matches('out_of_service'));
  h.actor.send({ type: 'DEVICE_FAULT', device: 'camera', code: 'STALL' });
  await h.advance(2000);
  h.actor.send({ type: 'DEVICE_OK', device: 'camera' });
  await h.advance(4999);
  assert.ok(h.matches('out_of_service'), 'a new fault restarts the 5 s');
  await h.advance(1);
  assert.ok(h.matches({ in_service: 'idle' }));
});

test('fire alarm: emergency, both doors open, crossing ABORTED_EMERGENCY; reset only by a technician', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('lee');
  h.walkIn();
  h.actor.send({ type: 'FIRE_ALARM', active: true });
  assert.ok(h.matches({ emergency: 'active' }));
  assert.ok(h.outputs().entry_release && h.outputs().exit_release);
  assert.equal(h.finished().map((r) => r.outcome), ['ABORTED_EMERGENCY']);
  await h.token('mo');
  assert.ok(h.matches('emergency'), 'no crossings during an emergency');
  h.actor.send({ type: 'FIRE_ALARM', active: false });
  assert.ok(h.matches({ emergency: 'awaiting_reset' }));
  await h.advance(60000);
  assert.ok(h.matches({ emergency: 'awaiting_reset' }), 'the gate waits for a technician');
  h.actor.send({ type: 'RESET', by: 'tech1' });
  assert.ok(h.matches('out_of_service'));
  await h.advance(5000);
  assert.ok(h.matches('out_of_service'), 'still someone inside: not back in service');
  assert.ok(h.outputs().entry_release, 'the person inside is let out by the entry');
  h.io({ zone_mantrap: false }, { mantrap_occupancy: 0 });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
  assert.equal(
    h.journal().map((f) => f.event).filter((e) => e.startsWith('emergency')),
    ['emergency_started', 'emergency_ended'],
  );
});

test('maintenance: refused during a crossing, taken from idle, left only by a technician', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('ned');
  h.actor.send({ type: 'SET_MODE', mode: 'maintenance', by: 'tech1' });
  assert.ok(h.matches({ in_service: 'entry' }));
  assert.ok(h.facts.some((f) => f.type === 'refused'));
  await h.advance(10000);
  h.io({ entry_closed: true });
  h.actor.send({ type: 'SET_MODE', mode: 'maintenance', by: 'tech1' });
  assert.ok(h.matches('maintenance'));
  h.actor.send({ type: 'DEVICE_FAULT', device: 'camera', code: 'STALL' });
  h.actor.send({ type: 'DEVICE_OK', device: 'camera' });
  await h.advance(10000);
  assert.ok(h.matches('maintenance'), 'recovery does not leave maintenance');
  await h.token('ola');
  assert.ok(h.matches('maintenance'));
  h.actor.send({ type: 'SET_MODE', mode: 'in_service', by: 'tech1' });
  await h.advance(5000);
  assert.ok(h.matches({ in_service: 'idle' }));
  const modes = h.journal('mode_changed').map((f) => `${f.data.to}/${f.data.reason}`);
  assert.equal(modes.slice(1), ['in_service/healthy', 'maintenance/technician:tech1', 'out_of_service/technician:tech1', 'in_service/healthy']);
});

test.run();
