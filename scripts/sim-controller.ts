/**
 * Runs the simulated door/barrier controller (the plant model behind a Modbus RTU slave) on
 * a serial device, so the real driver stack — or mbpoll, or a vendor tool — talks to it
 * unchanged (door-io.md).
 *
 *   node --import tsx scripts/sim-controller.ts --device /dev/pts/7 [--layout vehicle]
 *   node --import tsx scripts/sim-controller.ts --pty      # makes a socat pty pair, prints the master's end
 *
 * Script it with lines on stdin (one JSON answer line each on stdout):
 *   traveller [id] | arrive|enter|exit|leave|backout|walk <id> | linger <id> on|off
 *   car [id] | car-arrive|drive|follow|reverse <id>
 *   fire on|off | tamper on|off | jam|block entry|exit|barrier on|off
 *   fault none|silent|bad_crc|exception|slow|jammed_door | status
 */
import { Command, Option } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock } from '../kiosk/clock.ts';
import { createLogger } from '../kiosk/log.ts';
import { DoorPlant, type PlantFault } from '../drivers/door/plant.ts';
import { RtuSlave } from '../drivers/door/rtu-slave.ts';
import { runPlantCommand } from '../drivers/door/plant-commands.ts';

const program = new Command('sim-controller')
  .description('simulated door/barrier controller: Modbus RTU slave on a serial device')
  .option('--device <path>', 'serial device to serve on (one end of a pty pair)')
  .option('--pty', 'create a socat pty pair and serve on one end; prints the other')
  .addOption(new Option('--layout <layout>', 'register layout').choices(['pedestrian', 'vehicle']).default('pedestrian'))
  .option('--unit <id>', 'Modbus unit id', (v) => Number(v), 1)
  .option('--baud <rate>', 'baud rate', (v) => Number(v), 19200)
  .addOption(new Option('--parity <parity>', 'parity (ptys need none)').choices(['none', 'even', 'odd']).default('none'))
  .option('--watchdog-ms <ms>', 'initial watchdog_ms register', (v) => Number(v), 3000)
  .addOption(new Option('--fault <name>', 'start with a fault personality').choices(['none', 'silent', 'bad_crc', 'exception', 'slow', 'jammed_door']).default('none'))
  .parse();

const opts = program.opts<{ device?: string; pty?: boolean; layout: 'pedestrian' | 'vehicle'; unit: number; baud: number; parity: 'none' | 'even' | 'odd'; watchdogMs: number; fault: PlantFault }>();
if (!opts.device && !opts.pty) program.error('give --device <path> or --pty');

const log = createLogger({ destination: process.stderr });
let cleanup = async (): Promise<void> => {};
let device = opts.device!;
if (opts.pty) {
  const dir = mkdtempSync(join(tmpdir(), 'egate-simctl-'));
  const [master, slave] = [join(dir, 'master'), join(dir, 'controller')];
  const socat = spawn('socat', [`pty,raw,echo=0,link=${master}`, `pty,raw,echo=0,link=${slave}`], { stdio: 'ignore' });
  for (let i = 0; i < 250 && !(existsSync(master) && existsSync(slave)); i++) await sleep(20);
  if (!existsSync(slave)) program.error('socat did not create the pty pair (is socat installed?)');
  device = slave;
  cleanup = async () => {
    socat.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  console.log(JSON.stringify({ ok: true, masterDevice: master }));
}

const clock = new SystemClock();
const plant = new DoorPlant({ clock, layout: opts.layout, watchdogMs: opts.watchdogMs });
plant.setFault(opts.fault);
plant.start();
const slave = new RtuSlave(plant, { path: device, unitId: opts.unit, baudRate: opts.baud, parity: opts.parity, reopenMs: 500, log });
await slave.start();
log.info({ device, layout: opts.layout, unit: opts.unit }, 'simulated controller serving');
console.log(JSON.stringify({ ok: true, serving: device, layout: opts.layout }));

createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  console.log(JSON.stringify(runPlantCommand(plant, line)));
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await slave.stop();
  plant.stop();
  await cleanup();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
