/**
 * Technician self-test: talks to the devices the config names, prints every I/O role and
 * its state, optionally cycles one door, measures the camera's frame rate and shows the
 * last token/card read (as length and short hash only: token text is traveller data).
 *
 *   node --import tsx scripts/hw-check.ts [--config F] [--cycle entry|exit|barrier] [--seconds N]
 *
 * Exit code 0 when every device answered without a fault, 1 otherwise, 2 on bad usage.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load.ts';
import type { GateConfig } from '../config/schema.ts';
import { createCamera } from '../drivers/camera/index.ts';
import { createCardReader } from '../drivers/card/index.ts';
import { createDoorController } from '../drivers/door/create.ts';
import type { DoorController } from '../drivers/door/interface.ts';
import { Deduper, createScanners, shortHash } from '../drivers/scanner/index.ts';
import { SystemClock, type Clock } from '../kiosk/clock.ts';
import { errorCode } from '../kiosk/errors.ts';
import { createLogger, silentLogger, type Logger } from '../kiosk/log.ts';

type Cycle = 'entry' | 'exit' | 'barrier';
const CYCLES: Record<Cycle, { output: string; closedInput: string; openIs: boolean }> = {
  entry: { output: 'entry_release', closedInput: 'entry_closed', openIs: false },
  exit: { output: 'exit_release', closedInput: 'exit_closed', openIs: false },
  barrier: { output: 'barrier_raise', closedInput: 'barrier_down', openIs: false },
};
const DOOR_TRAVEL_LIMIT_MS = 10_000;

const sleep = (clock: Clock, ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
const line = (label: string, value: string) => console.log(`  ${label.padEnd(22)} ${value}`);
const onOff = (v: boolean | undefined) => (v === undefined ? '?' : v ? 'ON' : 'off');

async function checkDoor(config: GateConfig, deps: { clock: Clock; log: Logger }, cycle: Cycle | undefined): Promise<boolean> {
  console.log(`door controller (${config.door.driver}, ${config.door.layout}${config.door.port ? `, ${config.door.port}` : ''})`);
  let door: DoorController;
  try {
    door = createDoorController(config.door, { ...deps, isControlLoopAlive: () => true });
  } catch (err) {
    line('state', `FAULT ${errorCode(err)}: ${(err as Error).message}`);
    return false;
  }
  let fault: string | undefined;
  door.on('fault', (e) => (fault = `${e.code}: ${e.message}`));
  try {
    await door.start();
    if (!door.healthy) {
      line('state', `FAULT ${fault ?? 'no answer'}`);
      return false;
    }
    const s = door.snapshot();
    line('state', 'ok');
    for (const [role, v] of Object.entries(s.inputs)) line(`input ${role}`, onOff(v));
    for (const [role, v] of Object.entries(s.outputs)) line(`output ${role}`, onOff(v));
    for (const [role, v] of Object.entries(s.registers)) line(`register ${role}`, String(v));
    if (cycle) return await cycleDoor(door, cycle, deps.clock);
    return true;
  } catch (err) {
    line('state', `FAULT ${errorCode(err)}: ${(err as Error).message}`);
    return false;
  } finally {
    await door.stop().catch(() => {});
  }
}

/** Opens the named door, waits for its closed input to drop, closes it, waits for it again. */
async function cycleDoor(door: DoorController, cycle: Cycle, clock: Clock): Promise<boolean> {
  const c = CYCLES[cycle];
  if (!(c.output in door.snapshot().outputs) || !(c.closedInput in door.snapshot().inputs)) {
    line(`cycle ${cycle}`, `not available on the ${door.layout} layout`);
    return false;
  }
  const waitClosed = async (closed: boolean): Promise<number | undefined> => {
    const t0 = clock.monotonic();
    while (clock.monotonic() - t0 < DOOR_TRAVEL_LIMIT_MS) {
      if (door.snapshot().inputs[c.closedInput] === closed) return Math.round(clock.monotonic() - t0);
      await sleep(clock, 50);
    }
    return undefined;
  };
  console.log(`  cycling ${cycle}: make sure nobody stands in the door`);
  await door.setOutputs({ [c.output]: true });
  const opened = await waitClosed(false);
  line(`${cycle} opened`, opened === undefined ? `NO (still closed after ${DOOR_TRAVEL_LIMIT_MS} ms)` : `after ${opened} ms`);
  await door.setOutputs({ [c.output]: false });
  const closed = await waitClosed(true);
  line(`${cycle} closed`, closed === undefined ? `NO (still open after ${DOOR_TRAVEL_LIMIT_MS} ms)` : `after ${closed} ms`);
  return opened !== undefined && closed !== undefined;
}

async function checkCamera(config: GateConfig, deps: { clock: Clock; log: Logger }, seconds: number): Promise<boolean> {
  console.log(`camera (${config.camera.driver}, ${config.camera.width}x${config.camera.height} @ ${config.camera.fps} fps configured)`);
  const camera = createCamera(config.camera, deps);
  let frames = 0;
  let firstAt: number | undefined;
  let lastAt = 0;
  const faults: string[] = [];
  camera.on('frame', () => {
    const now = deps.clock.monotonic();
    firstAt ??= now;
    lastAt = now;
    frames++;
  });
  camera.on('fault', (e) => faults.push(`${e.code}: ${e.message}`));
  await camera.start();
  await sleep(deps.clock, seconds * 1000);
  await camera.stop();
  // Rate over the intervals between frames, so start-up latency does not count against it.
  const rate = frames > 1 && firstAt !== undefined ? ((frames - 1) * 1000) / (lastAt - firstAt) : 0;
  line('frames', `${frames} in ${seconds} s (${rate.toFixed(1)} fps measured)`);
  for (const f of faults) line('fault', f);
  line('state', frames > 0 && faults.length === 0 ? 'ok' : 'FAULT');
  return frames > 0 && faults.length === 0;
}

async function checkReaders(config: GateConfig, deps: { clock: Clock; log: Logger }, seconds: number): Promise<boolean> {
  let ok = true;
  const dedupe = new Deduper(config.readers.dedupeMs, deps.clock);
  const scanners = createScanners(config.readers, { ...deps, dedupe });
  const card = createCardReader(config.readers, { ...deps, dedupe });
  const last = new Map<string, string>();
  const faults = new Map<string, string>();
  for (const s of scanners) {
    s.on('read', (r) => last.set(s.name, `${r.text.slice(0, 6)}… ${r.text.length} chars, sha256 ${shortHash(r.text)}`));
    s.on('error', (e) => last.set(s.name, `refused ${e.code} (${e.length} chars, sha256 ${e.digest})`));
    s.on('fault', (e) => faults.set(s.name, `${e.code}: ${e.message}`));
  }
  card.on('card', (c) => last.set(card.name, `${c.credential.length} bytes, sha256 ${shortHash(c.credential)}`));
  card.on('error', (e) => last.set(card.name, `read failed ${e.code}`));
  card.on('fault', (e) => faults.set(card.name, `${e.code}: ${e.message}`));
  await Promise.all([...scanners.map((s) => s.start()), card.start()]);
  console.log(`token readers: present a code or card within ${seconds} s`);
  await sleep(deps.clock, seconds * 1000);
  for (const r of [...scanners, card]) {
    const fault = faults.get(r.name);
    if (fault || r.faulted) ok = false;
    line(r.name, fault ? `FAULT ${fault}` : `ok, last read: ${last.get(r.name) ?? 'none'}`);
  }
  await Promise.all([...scanners.map((s) => s.stop()), card.stop()]);
  return ok;
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new InvalidArgumentError('seconds must be between 0 and 600');
  return n;
}

async function main(): Promise<void> {
  const program = new Command('hw-check')
    .description('technician self-test of the devices named in the config')
    .option('--config <file>', 'config file (default: EGATE_CONFIG, else all simulated)')
    .option('--cycle <door>', 'open and close one door: entry, exit or barrier')
    .option('--seconds <n>', 'how long to watch the camera and readers', parseSeconds, 3)
    .option('--verbose', 'print driver log lines to stderr')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  program.parse();
  const opts = program.opts<{ config?: string; cycle?: string; seconds: number; verbose?: boolean }>();
  if (opts.cycle !== undefined && !(opts.cycle in CYCLES)) {
    console.error('--cycle must be entry, exit or barrier');
    process.exit(2);
  }
  let config: GateConfig;
  try {
    config = loadConfig(opts.config);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const clock = new SystemClock();
  const log = opts.verbose ? createLogger({ level: 'debug', destination: process.stderr }) : silentLogger();
  console.log(`egate hw-check — gate ${config.gate}, profile ${config.profile}`);
  const results = [
    await checkDoor(config, { clock, log }, opts.cycle as Cycle | undefined),
    await checkCamera(config, { clock, log }, opts.seconds),
    await checkReaders(config, { clock, log }, opts.seconds),
  ];
  const ok = results.every(Boolean);
  console.log(ok ? 'RESULT ok' : 'RESULT FAULT');
  process.exit(ok ? 0 : 1);
}

await main();
