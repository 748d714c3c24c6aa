import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { DoorPlant, FAULT_BIT, PlantException } from '../../../drivers/door/plant.ts';

function pedestrian(): { clock: SimulatedClock; plant: DoorPlant } {
  const clock = new SimulatedClock(0);
  const plant = new DoorPlant({ clock });
  plant.start();
  return { clock, plant };
}

/** Keeps the watchdog fed while time passes, as a live master would. */
function feed(clock: SimulatedClock, plant: DoorPlant, ms: number): void {
  for (let t = 0; t < ms; t += 250) {
    plant.writeHoldingRegister(0, (plant.readHoldingRegister(0) % 65535) + 1);
    clock.advance(Math.min(250, ms - t));
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

const travel = suite('plant: door travel and safety');

travel('a released door travels ~0.8 s; closed is reported only when fully closed', () => {
  const { clock, plant } = pedestrian();
  assert.is(plant.role('entry_closed'), true);
  plant.writeCoil(0, true);
  feed(clock, plant, 400);
  assert.is(plant.role('entry_closed'), false);
  assert.ok(!plant.leaf('entry').open, 'half way after 0.4 s');
  feed(clock, plant, 420);
  assert.ok(plant.leaf('entry').open);
  plant.writeCoil(0, false);
  feed(clock, plant, 700);
  assert.is(plant.role('entry_closed'), false, 'still closing');
  feed(clock, plant, 120);
  assert.is(plant.role('entry_closed'), true);
  assert.is(plant.role('exit_closed'), true);
});

travel('watchdog: no new heartbeat for watchdog_ms trips, closes, refuses to open until a new heartbeat', () => {
  const { clock, plant } = pedestrian();
  plant.writeCoil(0, true);
  plant.writeCoil(1, true);
  clock.advance(2990);
  assert.is(plant.tripped, false);
  clock.advance(20);
  assert.is(plant.tripped, true);
  assert.is(plant.readCoil(0), false, 'entry coil reads back 0');
  assert.is(plant.readCoil(1), false, 'exit coil reads back 0');
  assert.is(plant.role('out_of_service_sign'), true);
  assert.is(plant.faultBits & FAULT_BIT.watchdog, FAULT_BIT.watchdog);
  clock.advance(820);
  assert.is(plant.role('entry_closed'), true);
  assert.is(plant.role('exit_closed'), true);
  try {
    plant.writeCoil(0, true);
    assert.unreachable('opened while tripped');
  } catch (err) {
    assert.instance(err, PlantException);
    assert.is((err as PlantException).modbusErrorCode, 4);
  }
  plant.writeHoldingRegister(0, 0); // the same value is not a new heartbeat
  assert.is(plant.tripped, true);
  plant.writeHoldingRegister(0, 7);
  assert.is(plant.tripped, false);
  assert.is(plant.faultBits & FAULT_BIT.watchdog, 0);
  assert.is(plant.readCoil(0), false, 'doors stay as they are until commanded');
  plant.writeCoil(0, true);
  assert.is(plant.readCoil(0), true);
});

travel('watchdog_ms 0 disables the watchdog (maintenance)', () => {
  const { clock, plant } = pedestrian();
  plant.writeHoldingRegister(1, 0);
  clock.advance(10_000);
  assert.is(plant.tripped, false);
});

travel('fire alarm opens both doors whatever the master commands, and they close after it clears', () => {
  const { clock, plant } = pedestrian();
  plant.setFireAlarm(true);
  feed(clock, plant, 850);
  assert.is(plant.role('fire_alarm'), true);
  assert.ok(plant.leaf('entry').open && plant.leaf('exit').open);
  plant.writeCoil(0, false);
  feed(clock, plant, 850);
  assert.ok(plant.leaf('entry').open, 'still open while the alarm is on');
  plant.setFireAlarm(false);
  feed(clock, plant, 850);
  assert.is(plant.role('entry_closed'), true);
  assert.is(plant.role('exit_closed'), true);
});

travel('fire alarm beats a tripped watchdog (egress first)', () => {
  const { clock, plant } = pedestrian();
  clock.advance(3100);
  assert.is(plant.tripped, true);
  plant.setFireAlarm(true);
  clock.advance(850);
  assert.ok(plant.leaf('entry').open && plant.leaf('exit').open);
});

travel('an obstructed door stops and reports bit2, then finishes closing once clear', () => {
  const { clock, plant } = pedestrian();
  plant.writeCoil(0, true);
  feed(clock, plant, 850);
  plant.writeCoil(0, false);
  feed(clock, plant, 300);
  plant.block('entry');
  feed(clock, plant, 1000);
  const stoppedAt = plant.leaf('entry').position;
  assert.ok(stoppedAt > 0.5 && stoppedAt < 0.75, `stopped part way (${stoppedAt})`);
  assert.is(plant.faultBits & FAULT_BIT.obstructed, FAULT_BIT.obstructed);
  plant.block('entry', false);
  feed(clock, plant, 700);
  assert.is(plant.role('entry_closed'), true);
  assert.is(plant.faultBits, 0);
});

travel('jammed door personality: the entry motor does not move and fault bit0 is set', () => {
  const { clock, plant } = pedestrian();
  plant.setFault('jammed_door');
  plant.writeCoil(0, true);
  feed(clock, plant, 1000);
  assert.is(plant.role('entry_closed'), true);
  assert.is(plant.faultBits & FAULT_BIT.entryMotor, FAULT_BIT.entryMotor);
  plant.jam('exit');
  assert.is(plant.faultBits & FAULT_BIT.exitMotor, FAULT_BIT.exitMotor);
});

travel('addresses outside the map are Modbus exception 02; tamper is reported', () => {
  const { plant } = pedestrian();
  for (const f of [() => plant.readCoil(8), () => plant.readInput(7), () => plant.readInputRegister(3), () => plant.writeHoldingRegister(2, 1)]) {
    try {
      f();
      assert.unreachable();
    } catch (err) {
      assert.is((err as PlantException).modbusErrorCode, 2);
    }
  }
  plant.setTamper(true);
  assert.is(plant.readInput(6), true);
  assert.is(plant.readInputRegister(2), 0x0103);
});

travel.run();

const people = suite('plant: simulated travellers');

people('a traveller walks through: approach, mantrap, exit zone, gone — when the doors allow', async () => {
  const { clock, plant } = pedestrian();
  const t = plant.traveller();
  const done = t.walkThrough();
  assert.is(plant.role('zone_approach'), true);
  feed(clock, plant, 2000);
  assert.is(t.place, 'approach', 'waits at a closed entry door');
  plant.writeCoil(0, true);
  feed(clock, plant, 800 + 600 + 40);
  assert.is(t.place, 'mantrap');
  assert.is(plant.role('zone_mantrap'), true);
  assert.is(plant.role('mantrap_occupancy'), 1);
  assert.is(plant.role('zone_approach'), false);
  plant.writeCoil(0, false);
  plant.writeCoil(1, true);
  feed(clock, plant, 800 + 600 + 40);
  assert.is(t.place, 'exit_zone');
  assert.is(plant.role('zone_exit'), true);
  assert.is(plant.role('mantrap_occupancy'), 0);
  feed(clock, plant, 600);
  await flush();
  assert.is(t.place, 'gone');
  assert.is(plant.role('zone_exit'), false);
  await done;
});

people('a door closing on a traveller in its doorway is obstructed until they are through', () => {
  const { clock, plant } = pedestrian();
  const t = plant.traveller().arrive();
  void t.enterMantrap();
  plant.writeCoil(0, true);
  feed(clock, plant, 860);
  assert.is(t.place, 'entry_doorway');
  plant.writeCoil(0, false);
  feed(clock, plant, 100);
  assert.is(plant.faultBits & FAULT_BIT.obstructed, FAULT_BIT.obstructed);
  feed(clock, plant, 600);
  assert.is(t.place, 'mantrap');
  feed(clock, plant, 900);
  assert.is(plant.role('entry_closed'), true);
});

people('a tailgater right behind makes occupancy 2; stepping back brings it to 1', async () => {
  const { clock, plant } = pedestrian();
  const a = plant.traveller().arrive();
  const b = plant.traveller().arrive();
  void a.enterMantrap();
  void b.enterMantrap();
  plant.writeCoil(0, true);
  feed(clock, plant, 800 + 1200 + 60);
  assert.is(plant.role('mantrap_occupancy'), 2);
  const out = b.backOut();
  feed(clock, plant, 600 + 500 + 40);
  await flush();
  assert.is(plant.role('mantrap_occupancy'), 1);
  await out;
  assert.is(b.place, 'gone');
});

people('a lingering traveller keeps zone_exit on; an abandoning one leaves the approach', async () => {
  const { clock, plant } = pedestrian();
  const t = plant.traveller().arrive();
  plant.writeCoil(0, true);
  plant.writeCoil(1, true);
  t.linger();
  void t.enterMantrap();
  void t.exit();
  feed(clock, plant, 5000);
  assert.is(t.place, 'exit_zone');
  t.linger(false);
  feed(clock, plant, 600);
  assert.is(t.place, 'gone');
  const q = plant.traveller().arrive();
  const gone = q.leave();
  feed(clock, plant, 600);
  await gone;
  assert.is(plant.role('zone_approach'), false);
});

people.run();

const vehicle = suite('plant: vehicle layout');

vehicle('a car passes under the raised barrier; the arm never lowers on it', async () => {
  const clock = new SimulatedClock(0);
  const plant = new DoorPlant({ clock, layout: 'vehicle' });
  plant.start();
  assert.is(plant.role('barrier_down'), true);
  const car = plant.car().arrive();
  assert.is(plant.role('loop_approach'), true);
  const through = car.drive();
  plant.writeCoil(0, true);
  feed(clock, plant, 1540);
  assert.is(plant.role('loop_barrier'), true);
  assert.is(plant.role('vehicle_count'), 1);
  plant.writeCoil(0, false); // lowered too early by the master
  feed(clock, plant, 1000);
  assert.ok(plant.leaf('barrier').open, 'arm held up while loop_barrier is 1');
  assert.is(plant.faultBits & FAULT_BIT.obstructed, 0, 'holding is not an obstruction');
  feed(clock, plant, 600);
  assert.is(plant.role('loop_barrier'), false);
  assert.is(plant.role('loop_exit'), true);
  feed(clock, plant, 1600);
  await through;
  assert.is(plant.role('barrier_down'), true);
});

vehicle('a second car following close behind counts 2 under the arm; a car can reverse away', async () => {
  const clock = new SimulatedClock(0);
  const plant = new DoorPlant({ clock, layout: 'vehicle' });
  plant.start();
  const first = plant.car().arrive();
  const second = plant.car();
  void first.drive();
  plant.writeCoil(0, true);
  feed(clock, plant, 1540);
  void second.followClosely();
  feed(clock, plant, 100);
  assert.is(plant.role('vehicle_count'), 2);
  const third = plant.car().arrive();
  const back = third.reverse();
  feed(clock, plant, 1100);
  await back;
  assert.is(third.place, 'gone');
  assert.throws(() => plant.traveller(), /pedestrian/);
});

vehicle.run();
