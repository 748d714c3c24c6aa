import { suite } from 'uvu';
import { dispenserSection } from '../../config/sections/dispenser.ts';
import { DispenserPlant } from '../../drivers/dispenser/plant.ts';
import { DispenserTwin } from '../../drivers/dispenser/twin.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { dispenserContract, type DispenserHarness } from './contract.ts';

const t = suite<DispenserHarness>('card dispenser contract: twin (plant in process)');

t.before.each(async (h) => {
  h.alive = { value: true };
  h.plant = new DispenserPlant({ clock: new SystemClock(), moveMs: 300 });
  h.plant.start();
  const config = dispenserSection.parse({ watchdogMs: 1500, heartbeatIntervalMs: 100, moveTimeoutMs: 20_000 });
  h.dispenser = new DispenserTwin(h.plant, config, { isControlLoopAlive: () => h.alive.value });
  await h.dispenser.start();
});

t.after.each(async (h) => {
  await h.dispenser.stop();
  h.plant.stop();
});

dispenserContract(t);
t.run();
