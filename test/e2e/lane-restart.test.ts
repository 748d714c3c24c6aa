// @serial — starts the vehicle gate process four times (face engine, Modbus over a pty).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { DoorPlant } from '../../drivers/door/plant.ts';
import { RtuSlave } from '../../drivers/door/rtu-slave.ts';
import { CliClient } from '../../kiosk/cli/client.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';
import { openPtyPair, type PtyPair } from '../helpers/pty.ts';
import { peerSuite } from '../helpers/suite.ts';

// Issue 11 item 2 through the real gate process and a real SIGKILL: a commanded mode survives
// the kill, and a vehicle lane restarted with a car under the raised arm keeps the arm up (the
// controller's coil writes are the judge), stays closed until the lane is empty, then serves.

const ROOT = new URL('../../', import.meta.url).pathname;
const PHOTO_LIVE = join(ROOT, 'fixtures/faces/person02-44.jpg');
const TECH = { id: 'tech01', pin: '864209' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  dir: string;
  door: PtyPair;
  scanner: PtyPair;
  plant: DoorPlant;
  slave: RtuSlave;
  config: string;
  /** barrier_raise written 0 while the controller saw a vehicle on loop_barrier. */
  armDownOnCar: number;
}

interface RunningGate {
  child: ChildProcess;
  states: string[];
  /** The last lines it printed, for a failure message. */
  tail: string[];
}

/** Every gate process started, so a failed test leaves none behind. */
const children = new Set<ChildProcess>();
/** Still running (a child killed by a signal keeps exitCode null). */
const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;

const t = peerSuite<Ctx>('e2e: lane state across kill -9', ['socat', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-lane-'));
  ctx.door = await openPtyPair();
  ctx.scanner = await openPtyPair();
  ctx.plant = new DoorPlant({ clock: new SystemClock(), layout: 'vehicle' });
  ctx.plant.start();
  ctx.armDownOnCar = 0;
  const writeCoil = ctx.plant.writeCoil.bind(ctx.plant);
  ctx.plant.writeCoil = (addr, value) => {
    if (addr === 0 && !value && ctx.plant.role('loop_barrier') === true) ctx.armDownOnCar++;
    writeCoil(addr, value);
  };
  ctx.slave = new RtuSlave(ctx.plant, { path: ctx.door.a, parity: 'none' });
  await ctx.slave.start();
  saveTokenWorld(createTokenWorld({ nowMs: Date.now(), service: 'VEH' }), join(ctx.dir, 'tokens'));
  mkdirSync(join(ctx.dir, 'var/keys'), { recursive: true, mode: 0o700 });
  await setTechnician(join(ctx.dir, 'var/keys/technicians.json'), TECH.id, 'pin', TECH.pin);
  ctx.config = join(ctx.dir, 'gate.json');
  writeFileSync(
    ctx.config,
    JSON.stringify({
      gate: 'LANE-01',
      profile: 'vehicle',
      service: 'VEH',
      dataDir: 'var',
      door: { driver: 'modbus', layout: 'vehicle', port: ctx.door.b, parity: 'none' },
      camera: { driver: 'ffmpeg', input: ['-re', '-loop', '1', '-framerate', '10', '-i', PHOTO_LIVE], width: 640, height: 480, fps: 10 },
      readers: { scanners: [{ kind: 'serial', port: ctx.scanner.b, suffix: '\r\n' }], card: { driver: 'simulated' } },
      tokens: { fleetKeysDir: 'tokens/fleet', trustListPath: 'tokens/trust-list.json', revocationListPath: 'tokens/revocations.json' },
      timings: { healthyBeforeServiceMs: 300 },
      local: { displayPort: 0 },
    }),
    { mode: 0o600 },
  );
});

t.after(async (ctx) => {
  for (const c of children) if (running(c)) c.kill('SIGKILL');
  await ctx.slave?.stop();
  ctx.plant?.stop();
  await ctx.door?.close();
  await ctx.scanner?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

/** Starts the gate process and records every state it logs. */
function startGate(ctx: Ctx): RunningGate {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kiosk/main.ts'), ctx.config], {
    cwd: ROOT,
    env: { ...process.env, EGATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const g: RunningGate = { child, states: [], tail: [] };
  let buf = '';
  child.stderr!.on('data', (d: Buffer) => g.tail.push(...d.toString().split('\n').slice(0, 5)));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      g.tail.push(line.slice(0, 300));
      if (g.tail.length > 12) g.tail.shift();
      try {
        const o = JSON.parse(line) as { state?: string };
        if (typeof o.state === 'string') g.states.push(o.state);
      } catch {
        /* not a log line */
      }
    }
  });
  return g;
}

async function waitFor(what: string, pred: () => boolean, g: RunningGate, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline || !running(g.child)) {
      throw new Error(`timed out waiting for ${what} (states: ${g.states.join(' > ')}; exit ${g.child.exitCode})\n${g.tail.join('\n')}`);
    }
    await sleep(50);
  }
}

async function kill9(g: RunningGate): Promise<void> {
  if (!running(g.child)) return;
  const exited = new Promise((r) => g.child.once('exit', r));
  g.child.kill('SIGKILL');
  await exited;
}

async function technician(ctx: Ctx): Promise<CliClient> {
  const c = await CliClient.connect(join(ctx.dir, 'var/egate.sock'));
  c.session = ((await c.request('login', { technician: TECH.id, pin: TECH.pin })) as { session: string }).session;
  return c;
}

t('maintenance commanded before a kill -9 is where the restarted gate comes back, not in service 300 ms later', async (ctx) => {
  let g = startGate(ctx);
  await waitFor('service', () => g.states.at(-1) === 'in_service.idle', g);
  const c = await technician(ctx);
  await c.request('mode', { mode: 'maintenance' });
  c.close();
  await kill9(g);
  g = startGate(ctx);
  await waitFor('maintenance', () => g.states.includes('maintenance'), g);
  await sleep(3000);
  assert.is(g.states.at(-1), 'maintenance', g.states.join(' > '));
  assert.not.ok(g.states.some((s) => s.startsWith('in_service')), g.states.join(' > '));
  const back = await technician(ctx);
  await back.request('mode', { mode: 'in_service' });
  back.close();
  await waitFor('service', () => g.states.at(-1) === 'in_service.idle', g);
  await kill9(g);
});

t('restarted with a car under the raised arm: the arm is never commanded down onto it, no service until the lane is empty', async (ctx) => {
  const { plant } = ctx;
  // A gate left running by a failed test above would be a second master on the line.
  for (const c of children) await kill9({ child: c, states: [], tail: [] });
  // The killed process's last act: heartbeat and arm up for a car that then stopped under it.
  plant.writeHoldingRegister(0, (plant.readHoldingRegister(0) % 0xffff) + 1);
  plant.writeCoil(0, true);
  const car = plant.car('stuck').arrive();
  void car.drive();
  const g0 = Date.now();
  while (car.place !== 'under_barrier' && Date.now() - g0 < 10_000) await sleep(20);
  assert.is(car.place, 'under_barrier');
  car.hold();
  while (!plant.tripped && Date.now() - g0 < 15_000) await sleep(50);
  assert.ok(plant.tripped, 'the controller tripped without a master; only its interlock holds the arm over the car');
  const before = ctx.armDownOnCar;
  const g = startGate(ctx);
  await waitFor('the lane read', () => g.states.some((s) => s.startsWith('out_of_service')), g);
  const deadline = Date.now() + 5000;
  while (plant.readCoil(0) !== true && Date.now() < deadline) await sleep(20);
  assert.is(plant.readCoil(0), true, 'barrier_raise written 1 again over the car');
  const next = plant.car('next').arrive();
  await sleep(3000);
  assert.not.ok(g.states.some((s) => s.startsWith('in_service')), `closed to new sessions: ${g.states.join(' > ')}`);
  assert.is(ctx.armDownOnCar, before, 'barrier_raise never written 0 while a vehicle was on loop_barrier');
  car.hold(false);
  await waitFor('the stuck car gone', () => car.place === 'gone', g, 20_000);
  await waitFor('service again', () => g.states.some((s) => s.startsWith('in_service')), g);
  assert.is(plant.role('barrier_down'), true, 'the arm is down before the lane serves again');
  assert.is(ctx.armDownOnCar, before);
  void next;
  await kill9(g);
});

t.run();
