/**
 * The world around the gate process for the soak (issue 11.12): the simulated controller
 * in THIS process (plant + RTU slave on a socat pty, with its own record of every write),
 * a serial QR scanner line, a real mosquitto with an independent subscriber (the central
 * side), the token world and the enrolled travellers, and the gate itself as a child
 * process (kiosk/main.ts) that can be killed with SIGKILL and started again.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faceSection } from '../../config/sections/face.ts';
import { DoorPlant } from '../../drivers/door/plant.ts';
import { RtuSlave } from '../../drivers/door/rtu-slave.ts';
import type { RtuWrite } from '../../drivers/door/rtu-write-log.ts';
import { createFaceEngine } from '../../kiosk/biometrics/index.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { ReferenceStore } from '../../kiosk/enrolment/index.ts';
import { CliClient } from '../../kiosk/cli/client.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { createTokenWorld, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { Broker, Subscriber } from '../../test/sync/broker.ts';
import { FixedPtyPair } from '../../test/drivers/door/harness.ts';
import { openPtyPair, type PtyPair } from '../sim/pty.ts';
import { writeTokenFiles } from '../sim/tokens-for.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
export const GATE_ID = 'SOAK-01';
export const SITE = 'SOAK';
/** The camera shows this face; the genuine subject is enrolled with the same person's other photo. */
const PHOTO_LIVE = join(ROOT, 'fixtures/faces/person02-44.jpg');
const PHOTO_GENUINE = join(ROOT, 'fixtures/faces/person02-42.jpg');
const PHOTO_OTHER = join(ROOT, 'fixtures/faces/person01-2.jpg');

/** Subjects by what the gate should do with them. */
/** The technician the soak calls when the lane latches out of service (a forced door, a fire alarm). */
const TECH = { id: 'soak-tech', pin: '864209' };

export const SUBJECTS = { genuine: 'R0012345', impostor: 'R0067890', notEnrolled: 'R0099999', revoked: 'R0055555' } as const;

export interface GateRun {
  proc: ChildProcess;
  /** performance.now() at spawn. */
  startedAt: number;
  /** Resolves when the gate logs in_service.idle; rejects if it exits first. */
  idle: Promise<void>;
  exited: Promise<void>;
}

export class SoakRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'egate-soak-'));
  readonly dataDir: string;
  readonly clock = new SystemClock();
  readonly door = new FixedPtyPair();
  scanner!: PtyPair;
  plant!: DoorPlant;
  slave!: RtuSlave;
  broker!: Broker;
  central!: Subscriber;
  tokens!: TokenWorld;
  /** The controller's own record of the coil writes it executed (heartbeats left out). */
  readonly writes: RtuWrite[] = [];
  /** Called with every write the controller executed. */
  onWrite: ((w: RtuWrite) => void) | undefined;
  readonly watchdogMs = 3000;
  gate: GateRun | undefined;
  /** The current gate process reached service (and was not killed since). */
  up = false;
  #config = '';
  #tmpfs = false;

  constructor(o: { dataOnTmpfs?: boolean } = {}) {
    this.dataDir = join(this.dir, 'var');
    mkdirSync(this.dataDir, { mode: 0o700 });
    if (o.dataOnTmpfs) this.#tmpfs = mountTmpfs(this.dataDir, '96m');
  }

  /** True when the data directory is a small tmpfs of its own, so "disk nearly full" can be played. */
  get canFillDisk(): boolean {
    return this.#tmpfs;
  }

  async start(): Promise<void> {
    await this.door.open();
    this.scanner = await openPtyPair();
    this.plant = new DoorPlant({ clock: this.clock, layout: 'pedestrian', watchdogMs: this.watchdogMs });
    this.plant.start();
    await this.startController();
    // mosquitto started as root drops to its own user: a persistence directory only root can
    // write kept no sessions across a broker restart (no mosquitto.db was ever written).
    const persistence = join(this.dir, 'mosquitto');
    mkdirSync(persistence, { mode: 0o777 });
    chmodSync(persistence, 0o777);
    this.broker = await Broker.start(['persistence true', `persistence_location ${persistence}/`, 'autosave_interval 1']);
    // The central side: an independent mosquitto_sub with a persistent session, so events
    // published while it reconnects after a broker restart wait for it at the broker. MQTT 5
    // ends a session at disconnect unless it has an expiry (-x): without it, and without the
    // broker's persistence, 3 events published just after a broker restart were counted lost.
    this.central = await Subscriber.start(this.broker.port, `egate/v1/${SITE}/${GATE_ID}/events`, ['-c', '-i', 'soak-central', '-x', '86400', '-t', `egate/v1/${SITE}/${GATE_ID}/status`]);
    this.tokens = createTokenWorld({ nowMs: Date.now() });
    writeTokenFiles(this.tokens, { fleetKeysDir: join(this.dir, 'tokens/fleet'), trustListPath: join(this.dir, 'tokens/trust-list.json'), revocationListPath: join(this.dir, 'tokens/revocations.json') } as never, [SUBJECTS.revoked]);
    await this.#enrol();
    await setTechnician(join(this.dataDir, 'keys/technicians.json'), TECH.id, 'pin', TECH.pin, { N: 1024, r: 8, p: 1 });
    this.#config = join(this.dir, 'gate.json');
    writeFileSync(
      this.#config,
      JSON.stringify({
        gate: GATE_ID,
        dataDir: 'var',
        door: { driver: 'modbus', port: this.door.a, parity: 'none', watchdogMs: this.watchdogMs },
        camera: { driver: 'ffmpeg', input: ['-re', '-loop', '1', '-framerate', '10', '-i', PHOTO_LIVE], width: 640, height: 480, fps: 10 },
        readers: { scanners: [{ kind: 'serial', port: this.scanner.b, suffix: '\r\n' }], card: { driver: 'simulated' } },
        tokens: { fleetKeysDir: join(this.dir, 'tokens/fleet'), trustListPath: join(this.dir, 'tokens/trust-list.json'), revocationListPath: join(this.dir, 'tokens/revocations.json') },
        timings: { healthyBeforeServiceMs: 300 },
        sync: { enabled: true, url: this.broker.url, site: SITE, pollMs: 250, backoffMs: { min: 200, max: 2000 } },
        local: { displayPort: 0 },
      }),
    );
  }

  /** The simulated controller (re)starts serving the line; its write record goes on. */
  async startController(): Promise<void> {
    this.slave = new RtuSlave(this.plant, { path: this.door.b, parity: 'none', reopenMs: 200 });
    this.slave.onWrite((w) => {
      if (w.table === 'coil') this.writes.push(w);
      this.onWrite?.(w);
    });
    await this.slave.start();
  }

  async #enrol(): Promise<void> {
    const engine = await createFaceEngine(faceSection.parse({}));
    const store = ReferenceStore.open({ path: join(this.dataDir, 'enrolment.sqlite'), keyPath: join(this.dataDir, 'keys/enrolment.key'), clock: this.clock });
    try {
      for (const [sub, photo] of [[SUBJECTS.genuine, PHOTO_GENUINE], [SUBJECTS.impostor, PHOTO_OTHER], [SUBJECTS.revoked, PHOTO_GENUINE]] as const) {
        const ref = await engine.extractReference(new Uint8Array(readFileSync(photo)));
        store.upsert(sub, ref.template, { source: 'soak' });
      }
    } finally {
      store.close();
      await engine.close();
    }
  }

  /** Starts the gate process (as systemd would after a crash). */
  startGate(): GateRun {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kiosk/main.ts'), this.#config], {
      cwd: ROOT,
      env: { ...process.env, EGATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const idle = new Promise<void>((resolve, reject) => {
      let buf = '';
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          this.#remember(line);
          if (line.includes('"in_service.idle"')) resolve();
        }
      });
      void exited.then(() => reject(new Error(`gate exited (${proc.exitCode ?? proc.signalCode}) before coming into service`)));
    });
    idle.then(() => (this.up = true), () => {});
    proc.stderr!.on('data', (d: Buffer) => d.toString().split('\n').forEach((l) => l && this.#remember(l)));
    this.gate = { proc, startedAt: performance.now(), idle, exited };
    return this.gate;
  }

  /** The gate's last log lines (stdout and stderr), for a start that never came into service. */
  readonly lastLines: string[] = [];
  #remember(line: string): void {
    this.lastLines.push(line.slice(0, 400));
    if (this.lastLines.length > 25) this.lastLines.shift();
  }

  /** kill -9 of the gate process; resolves once it is gone. */
  async killGate(): Promise<void> {
    const g = this.gate;
    this.up = false;
    if (!g || g.proc.exitCode !== null || g.proc.signalCode !== null) return;
    g.proc.kill('SIGKILL');
    await g.exited;
  }

  /** The gate's camera process (ffmpeg, its child), for stalling it with SIGSTOP. */
  cameraPid(): number | undefined {
    const pid = this.gate?.proc.pid;
    if (!pid) return undefined;
    try {
      const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      return kids.find((k) => readFileSync(`/proc/${k}/comm`, 'utf8').trim() === 'ffmpeg');
    } catch {
      return undefined;
    }
  }

  /** The gate's mode as its last retained status told the central side. */
  mode(): string | undefined {
    return this.central.messages<{ mode?: string }>(`egate/v1/${SITE}/${GATE_ID}/status`).findLast((m) => m.mode !== undefined)?.mode;
  }

  /**
   * A technician clears the lane over the CLI socket: `reset` after a fire alarm, else (a
   * forced door) maintenance then back in service. Resolves with what was done, or the
   * error code when the gate refused.
   */
  async technicianReset(): Promise<string> {
    let c: CliClient | undefined;
    try {
      c = await CliClient.connect(join(this.dataDir, 'egate.sock'));
      const r = (await c.request('login', { technician: TECH.id, pin: TECH.pin })) as { session: string };
      c.session = r.session;
      const reset = await c.request('reset').then(() => true, (err: { code?: string }) => {
        if (err.code !== 'NOTHING_TO_RESET') throw err;
        return false;
      });
      if (reset) return 'reset';
      await c.request('mode', { mode: 'maintenance' });
      await c.request('mode', { mode: 'in_service' });
      // What keeps the lane from service, as the gate sees it: unhealthy devices and the mantrap's inputs.
      const st = (await c.request('status')) as { state?: string; devices?: Record<string, { healthy: boolean; code?: string }>; io?: { inputs: Record<string, boolean>; registers: Record<string, number> } };
      const sick = Object.entries(st.devices ?? {}).filter(([, h]) => !h.healthy).map(([d, h]) => `${d} ${h.code ?? ''}`.trim());
      const io = st.io ? `mantrap ${String(st.io.inputs.zone_mantrap)}, occupancy ${String(st.io.registers.mantrap_occupancy)}` : 'no io';
      return `maintenance, then in service (${st.state ?? '?'}; ${sick.length ? `unhealthy: ${sick.join(', ')}` : 'devices healthy'}; ${io})`;
    } catch (err) {
      return `refused: ${(err as { code?: string }).code ?? (err as Error).message}`;
    } finally {
      c?.close();
    }
  }

  scan(text: string): void {
    const fd = openSync(this.scanner.a, 'w');
    writeSync(fd, text + '\r\n');
    closeSync(fd);
  }

  get journalPath(): string {
    return join(this.dataDir, 'journal.sqlite');
  }

  get secretPath(): string {
    return join(this.dataDir, 'keys/gate-secret');
  }

  async close(): Promise<void> {
    await this.killGate();
    await this.slave?.stop();
    this.plant?.stop();
    await this.door.close();
    await this.scanner?.close();
    await this.central?.close();
    await this.broker?.close();
    if (this.#tmpfs) spawnSyncQuiet('umount', ['-l', this.dataDir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function spawnSyncQuiet(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A small filesystem of its own for the gate's data (root only; elsewhere the disk-full fault is skipped). */
function mountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSyncQuiet('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
}
