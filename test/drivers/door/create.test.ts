import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { doorSection } from '../../../config/sections/door.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { ConfigError } from '../../../kiosk/errors.ts';
import { createDoorController, createModbusDoorController, DoorTwin, runPlantCommand } from '../../../drivers/door/index.ts';

test('driver simulated: a twin on a started plant; the demo reaches the plant and scripts it', async () => {
  const clock = new SimulatedClock(0);
  const c = createDoorController(doorSection.parse({ layout: 'vehicle' }), { clock, isControlLoopAlive: () => true });
  assert.instance(c, DoorTwin);
  const plant = (c as DoorTwin).plant;
  assert.is(plant.layout, 'vehicle');
  const started = c.start();
  for (let i = 0; i < 20; i++) {
    clock.advance(5);
    await new Promise((r) => setImmediate(r));
  }
  await started;
  assert.ok(c.healthy);
  assert.equal(runPlantCommand(plant, 'car c1'), { ok: true, id: 'c1' });
  assert.equal(runPlantCommand(plant, 'car-arrive c1'), { ok: true });
  assert.is(runPlantCommand(plant, 'walk t1').ok, false);
  for (let i = 0; i < 40; i++) {
    clock.advance(5);
    await new Promise((r) => setImmediate(r));
  }
  assert.is(c.snapshot().inputs.loop_approach, true);
  const stopping = c.stop();
  clock.advance(10);
  await stopping;
});

test('driver modbus: a role map with two roles on one address is a ConfigError naming door.roles', () => {
  const config = doorSection.parse({ driver: 'modbus', port: '/dev/null', roles: { coils: { buzzer: 0 } } });
  try {
    createModbusDoorController(config, { clock: new SimulatedClock(0), isControlLoopAlive: () => true });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ConfigError);
    assert.is((err as ConfigError).issues[0]!.path, 'door.roles');
    assert.match((err as ConfigError).issues[0]!.message, /share address 0/);
  }
});

test.run();
