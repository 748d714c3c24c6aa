// @serial — starts the gate process many times; heavy on the two cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { DoorPlant } from '../../drivers/door/plant.ts';
import { RtuSlave } from '../../drivers/door/rtu-slave.ts';
import { createFaceEngine } from '../../kiosk/biometrics/index.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { ReferenceStore } from '../../kiosk/enrolment/index.ts';
import { verifyJournal, Journal } from '../../kiosk/journal/index.ts';
import { createTokenWorld, worldQr, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';
import { openPtyPair, type PtyPair } from '../helpers/pty.ts';
import { peerSuite } from '../helpers/suite.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const PHOTO_REF = join(ROOT, 'fixtures/faces/person02-42.jpg');
const PHOTO_LIVE = join(ROOT, 'fixtures/faces/person02-44.jpg');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  dir: string;
  door: PtyPair;
  scanner: PtyPair;
  plant: DoorPlant;
  slave: RtuSlave;
  config: string;
  world: TokenWorld;
}

const t = peerSuite<Ctx>('e2e: gate process killed mid-crossing', ['socat', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-kill-'));
  ctx.door = await openPtyPair();
  ctx.scanner = await openPtyPair();
  const clock = new SystemClock();
  ctx.plant = new DoorPlant({ clock, layout: 'pedestrian' });
  ctx.plant.start();
  ctx.slave = new RtuSlave(ctx.plant, { path: ctx.door.a, parity: 'none' });
  await ctx.slave.start();
  const world = createTokenWorld({ nowMs: Date.now() });
  saveTokenWorld(world, join(ctx.dir, 'tokens'));
  const engine = await createFaceEngine(faceSection.parse({}));
  const store = ReferenceStore.open({ path: join(ctx.dir, 'var/enrolment.sqlite'), keyPath: join(ctx.dir, 'var/keys/enrolment.key'), clock });
  const ref = await engine.extractReference(new Uint8Array(readFileSync(PHOTO_REF)));
  store.upsert('R0012345', ref.template, { source: 'test' });
  store.close();
  await engine.close();
  ctx.config = join(ctx.dir, 'gate.json');
  writeFileSync(
    ctx.config,
    JSON.stringify({
      gate: 'KILL-01',
      dataDir: 'var',
      door: { driver: 'modbus', port: ctx.door.b, parity: 'none' },
      camera: { driver: 'ffmpeg', input: ['-re', '-loop', '1', '-framerate', '10', '-i', PHOTO_LIVE], width: 640, height: 480, fps: 10 },
      readers: { scanners: [{ kind: 'serial', port: ctx.scanner.b, suffix: '\r\n' }], card: { driver: 'simulated' } },
      tokens: { fleetKeysDir: 'tokens/fleet', trustListPath: 'tokens/trust-list.json', revocationListPath: 'tokens/revocations.json' },
      timings: { healthyBeforeServiceMs: 300 },
      local: { displayPort: 0 },
    }),
  );
  ctx.world = world;
});

t.after(async (ctx) => {
  await ctx.slave?.stop();
  ctx.plant?.stop();
  await ctx.door?.close();
  await ctx.scanner?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

/** Starts the gate process; resolves once it is idle in service. Tracks the seqs it reports. */
async function startGate(ctx: Ctx, seen: { maxSeq: number }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kiosk/main.ts'), ctx.config], {
    cwd: ROOT,
    env: { ...process.env, EGATE_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let idle = false;
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const o = JSON.parse(line) as { msg?: string; seq?: number; state?: string };
        if (o.msg === 'journalled' && typeof o.seq === 'number') seen.maxSeq = Math.max(seen.maxSeq, o.seq);
        if (o.state === 'in_service.idle') idle = true;
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.resume();
  // A deadlock guard, not a speed guess: at load 30 a gate's start (tsx, models, pty) took over 60 s.
  const deadline = Date.now() + 180_000;
  while (!idle) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gate did not come into service (exit ${child.exitCode})`);
    await sleep(50);
  }
  return child;
}

function scan(ctx: Ctx, text: string): void {
  const fd = openSync(ctx.scanner.a, 'w');
  writeSync(fd, text + '\r\n');
  closeSync(fd);
}

t('killed with SIGKILL mid-crossing, many times: doors close by the watchdog, the journal chain holds, nothing lost or duplicated', async (ctx) => {
  const world = ctx.world;
  const seen = { maxSeq: 0 };
  const rounds = 6;
  for (let round = 0; round < rounds; round++) {
    const gate = await startGate(ctx, seen);
    const person = ctx.plant.traveller(`k${round}`).arrive();
    world.nowMs = Date.now();
    scan(ctx, worldQr(world));
    void person.walkThrough();
    // Kill at a different moment of the crossing each round: token check, entry, face, exit.
    await sleep(300 + round * 700);
    const reported = seen.maxSeq;
    gate.kill('SIGKILL');
    await new Promise((r) => gate.once('exit', r));
    // The controller's watchdog (3 s) closes both doors once the heartbeat stops.
    const deadline = Date.now() + 6000;
    while (!(ctx.plant.tripped && ctx.plant.role('entry_closed') === true && ctx.plant.role('exit_closed') === true)) {
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    assert.ok(ctx.plant.tripped, `round ${round}: the watchdog tripped after the kill`);
    assert.is(ctx.plant.readCoil(0) || ctx.plant.readCoil(1), false, `round ${round}: both door coils are off`);
    assert.is(ctx.plant.role('entry_closed'), true, `round ${round}: entry door closed`);
    assert.is(ctx.plant.role('exit_closed'), true, `round ${round}: exit door closed`);
    const check = verifyJournal(join(ctx.dir, 'var/journal.sqlite'));
    assert.ok(check.ok, `round ${round}: ${JSON.stringify(check.firstBad)}`);
    assert.ok(check.events >= reported, `round ${round}: the journal has every event the gate reported (${check.events} < ${reported})`);
    // Whoever is still inside backs out once the next gate lets them out through the entry.
    void person.backOut();
  }
  // One more start: the gate closes the interrupted crossings and serves a traveller to the end.
  const gate = await startGate(ctx, seen);
  await sleep(500);
  gate.kill('SIGTERM');
  await new Promise((r) => gate.once('exit', r));

  const check = verifyJournal(join(ctx.dir, 'var/journal.sqlite'));
  assert.ok(check.ok, JSON.stringify(check.firstBad));
  const j = Journal.open({ path: join(ctx.dir, 'var/journal.sqlite'), gate: 'KILL-01', clock: new SystemClock(), secretPath: join(ctx.dir, 'var/keys/gate-secret') });
  const events = j.readAfter(0, 100_000);
  j.close();
  assert.equal(events.map((e) => e.seq), events.map((_, i) => i + 1), 'seq gap-free from 1');
  assert.is(new Set(events.map((e) => e.id)).size, events.length, 'no duplicate event id');
  assert.is(events.filter((e) => e.type === 'gate_started').length, rounds + 1);
  const started = events.filter((e) => e.type === 'crossing_started').map((e) => (e.data as { crossing: string }).crossing);
  const finished = events.filter((e) => e.type === 'crossing_finished').map((e) => (e.data as { crossing: string }).crossing);
  assert.ok(started.length >= rounds - 1, `crossings were under way when killed (${started.length})`);
  assert.equal([...finished].sort(), [...started].sort(), 'every crossing ends with exactly one outcome');
});

t.run();
