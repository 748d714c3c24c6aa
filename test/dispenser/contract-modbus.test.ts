import { dispenserSection } from '../../config/sections/dispenser.ts';
import { createCardDispenser } from '../../drivers/dispenser/index.ts';
import { DispenserPlant } from '../../drivers/dispenser/plant.ts';
import { RtuSlave } from '../../drivers/door/rtu-slave.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { FixedPtyPair } from '../drivers/door/harness.ts';
import { peerSuite } from '../helpers/suite.ts';
import { dispenserContract, type DispenserHarness } from './contract.ts';

// The real Modbus master over a socat pty to our RTU slave serving the dispenser plant.
type Ctx = DispenserHarness & { pty: FixedPtyPair; slave: RtuSlave };
const t = peerSuite<Ctx>('card dispenser contract: Modbus RTU over a pty', ['socat']);

t.before.each(async (h) => {
  h.alive = { value: true };
  h.pty = new FixedPtyPair();
  await h.pty.open();
  const clock = new SystemClock();
  h.plant = new DispenserPlant({ clock, moveMs: 300 });
  h.plant.start();
  h.slave = new RtuSlave(h.plant, { path: h.pty.b });
  await h.slave.start();
  const config = dispenserSection.parse({ driver: 'modbus', port: h.pty.a, parity: 'none', watchdogMs: 1500, heartbeatIntervalMs: 100, moveTimeoutMs: 20_000 });
  h.dispenser = createCardDispenser(config, { clock, log: silentLogger(), isControlLoopAlive: () => h.alive.value });
  await h.dispenser.start();
});

t.after.each(async (h) => {
  await h.dispenser?.stop();
  await h.slave?.stop();
  h.plant?.stop();
  await h.pty?.close();
});

dispenserContract(t);
t.run();
