import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { LaneRig, lanePlant } from './lane-rig.ts';

// Issue 11 items 1, 2 and 3(c) through the real binding and door driver on the plant model
// (simulated clock): the fire input's debounce and egress time, the doors after the alarm,
// the lane state surviving a restart (only the plant and the state file survive), a restart
// that finds a car under the raised arm, and a forced door.

const dirs: string[] = [];
const freshDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'egate-lane-'));
  dirs.push(d);
  return d;
};
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function inService(layout: 'pedestrian' | 'vehicle'): Promise<LaneRig> {
  const clock = new SimulatedClock();
  const rig = await new LaneRig(lanePlant(layout, clock), clock, freshDir()).start();
  assert.ok((await rig.until(() => rig.state === 'in_service.idle', 5000)) >= 0, `in service (${rig.states.join(' > ')})`);
  return rig;
}

const alarms = (rig: LaneRig, alarm: string): unknown[] => rig.journal.filter((e) => e.type === 'alarm_raised' && e.data.alarm === alarm).map((e) => e.data);

test('a fire input seen by one poll only opens nothing: the lane stays in service with both doors shut', async () => {
  const rig = await inService('pedestrian');
  rig.plant.setFireAlarm(true);
  assert.ok((await rig.until(() => rig.door.snapshot().inputs.fire_alarm === true, 500)) >= 0);
  rig.plant.setFireAlarm(false);
  await rig.wait(10_000);
  assert.not.ok(rig.states.some((s) => s.startsWith('emergency')), rig.states.join(' > '));
  assert.is(rig.journal.filter((e) => e.type === 'emergency_started').length, 0);
  assert.is(rig.state, 'in_service.idle');
  assert.equal([rig.plant.role('entry_closed'), rig.plant.role('exit_closed'), rig.plant.readCoil(0), rig.plant.readCoil(1)], [true, true, false, false]);
  await rig.kill();
});

test('a real fire alarm: both doors commanded open within 500 ms; when it clears they close, the lane closed awaiting the reset', async () => {
  const rig = await inService('pedestrian');
  rig.plant.setFireAlarm(true);
  const egressMs = await rig.until(() => rig.state.startsWith('emergency.active') && rig.plant.readCoil(0) && rig.plant.readCoil(1), 2000);
  assert.ok(egressMs >= 0 && egressMs <= 500, `egress commanded after ${egressMs} ms`);
  rig.plant.setFireAlarm(false);
  const closedMs = await rig.until(() => rig.state === 'emergency.awaiting_reset.closed' && rig.plant.role('entry_closed') === true && rig.plant.role('exit_closed') === true, 3000);
  assert.ok(closedMs >= 0, `doors shut after the alarm (${rig.states.join(' > ')})`);
  assert.equal([rig.plant.readCoil(0), rig.plant.readCoil(1), rig.plant.role('out_of_service_sign')], [false, false, true]);
  assert.is(rig.screens.at(-1), 'awaiting_reset');
  await rig.wait(10_000);
  assert.is(rig.state, 'emergency.awaiting_reset.closed', 'waits for the technician');
  assert.equal(alarms(rig, 'DOOR_FORCED'), [], 'doors opened by the fire alarm are not forced');
  await rig.kill();
});

test('restart: maintenance, a commanded out-of-service and an interrupted emergency come back as they were', async () => {
  // Maintenance.
  const clock = new SimulatedClock();
  const plant = lanePlant('pedestrian', clock);
  const dir = freshDir();
  let rig = await new LaneRig(plant, clock, dir).start();
  assert.ok((await rig.until(() => rig.state === 'in_service.idle', 5000)) >= 0);
  rig.binding.send({ type: 'SET_MODE', mode: 'maintenance', by: 'tech' });
  await rig.kill();
  rig = await new LaneRig(plant, clock, dir).start();
  await rig.wait(10_000);
  assert.equal(rig.states, ['starting', 'maintenance'], 'never in service by itself');
  // Out of service commanded while the lane was recovering from a controller fault.
  rig.binding.send({ type: 'SET_MODE', mode: 'in_service', by: 'tech' });
  assert.ok((await rig.until(() => rig.state === 'in_service.idle', 5000)) >= 0);
  plant.setFault('silent');
  assert.ok((await rig.until(() => rig.state.startsWith('out_of_service.faulty'), 3000)) >= 0);
  plant.setFault('none');
  assert.ok((await rig.until(() => rig.state === 'out_of_service.recovering', 3000)) >= 0);
  rig.binding.send({ type: 'SET_MODE', mode: 'out_of_service', by: 'central' });
  await rig.kill();
  rig = await new LaneRig(plant, clock, dir).start();
  await rig.wait(10_000);
  assert.equal(rig.states, ['starting', 'out_of_service.commanded']);
  // An emergency the process was killed in: the alarm cleared while it was down.
  rig.binding.send({ type: 'SET_MODE', mode: 'in_service', by: 'tech' });
  assert.ok((await rig.until(() => rig.state === 'in_service.idle', 5000)) >= 0);
  plant.setFireAlarm(true);
  assert.ok((await rig.until(() => rig.state === 'emergency.active', 1000)) >= 0);
  await rig.kill();
  plant.setFireAlarm(false);
  rig = await new LaneRig(plant, clock, dir).start();
  await rig.wait(10_000);
  assert.equal(rig.journal.map((e) => e.type).filter((t) => t.startsWith('emergency')), ['emergency_ended'], 'one emergency_ended, no second start');
  assert.equal(rig.states, ['starting', 'emergency.awaiting_reset.closed']);
  assert.equal([plant.role('entry_closed'), plant.role('exit_closed')], [true, true]);
  await rig.kill();
});

test('vehicle restart with a car under the raised arm: never commanded down onto it, closed to new sessions until the lane is empty', async () => {
  const clock = new SimulatedClock();
  const plant = lanePlant('vehicle', clock);
  const dir = freshDir();
  let rig = await new LaneRig(plant, clock, dir).start();
  assert.ok((await rig.until(() => rig.state === 'in_service.idle', 5000)) >= 0);
  // The killed process had raised the arm for a car that stopped under it.
  await rig.kill();
  plant.writeHoldingRegister(0, 7);
  plant.writeCoil(0, true);
  const car = plant.car('c1').arrive();
  void car.drive();
  assert.ok((await rig.until(() => car.place === 'under_barrier', 5000)) >= 0);
  car.hold();
  await rig.wait(4000); // the controller's watchdog trips: its interlock alone holds the arm over the car
  rig = new LaneRig(plant, clock, dir);
  await rig.start();
  assert.ok((await rig.until(() => plant.readCoil(0) === true, 2000)) >= 0, 'the arm is commanded up again over the car');
  const second = plant.car('c2').arrive();
  await rig.wait(10_000);
  assert.not.ok(rig.states.some((s) => s.startsWith('in_service')), rig.states.join(' > '));
  assert.equal(rig.writes.filter((w) => w.loopBarrier && w.table.barrier_raise === false), [], 'never commanded down with a car under it');
  car.hold(false);
  assert.ok((await rig.until(() => car.place === 'gone', 5000)) >= 0);
  assert.ok((await rig.until(() => rig.state.startsWith('in_service'), 10_000)) >= 0, rig.states.join(' > '));
  assert.is(plant.role('barrier_down'), true, 'the arm is down before the lane serves again');
  assert.ok(rig.state.startsWith('in_service.session'), 'the waiting car starts a new session: no passage without a token');
  void second;
  await rig.kill();
});

test('a door forced open while commanded shut: DOOR_FORCED journalled, buzzer, out of service until a technician; hand and fire openings are not forced', async () => {
  const rig = await inService('pedestrian');
  rig.plant.leaf('exit').position = 1;
  assert.ok((await rig.until(() => rig.state.startsWith('out_of_service'), 1000)) >= 0, rig.states.join(' > '));
  assert.equal(alarms(rig, 'DOOR_FORCED'), [{ alarm: 'DOOR_FORCED', door: 'exit', crossing: null }]);
  assert.ok((await rig.until(() => rig.plant.role('buzzer') === true, 500)) >= 0, 'the buzzer sounds');
  await rig.wait(10_000);
  assert.ok(rig.state.startsWith('out_of_service'), 'does not clear by itself');
  rig.binding.send({ type: 'SET_MODE', mode: 'maintenance', by: 'tech' });
  rig.binding.setManualOutputs({ entry_release: true });
  assert.ok((await rig.until(() => rig.plant.leaf('entry').open, 2000)) >= 0);
  rig.binding.setManualOutputs({ entry_release: false });
  assert.ok((await rig.until(() => rig.plant.role('entry_closed') === true, 2000)) >= 0);
  rig.binding.send({ type: 'SET_MODE', mode: 'in_service', by: 'tech' });
  assert.ok((await rig.until(() => rig.state === 'in_service.idle', 2000)) >= 0, rig.states.join(' > '));
  assert.is(alarms(rig, 'DOOR_FORCED').length, 1, 'the hand-opened door is not forced');
  assert.ok(rig.journal.some((e) => e.type === 'alarm_cleared' && e.data.alarm === 'DOOR_FORCED'));
  // The vehicle arm lifted by hand.
  const v = await inService('vehicle');
  v.plant.leaf('barrier').position = 0.5;
  assert.ok((await v.until(() => v.state.startsWith('out_of_service'), 1000)) >= 0, v.states.join(' > '));
  assert.equal(alarms(v, 'DOOR_FORCED').map((a) => (a as { door: string }).door), ['barrier']);
  await rig.kill();
  await v.kill();
});

test.run();
