import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.ts';
import type { SimulatedCardReader } from '../../drivers/card/twin.ts';
import type { DoorPlant } from '../../drivers/door/plant.ts';
import type { SimulatedScanner } from '../../drivers/scanner/twin.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { buildGate, resolvePaths } from '../../kiosk/build.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { CliClient } from '../../kiosk/cli/client.ts';
import { startCliServer, type SyncHandle } from '../../kiosk/cli/server.ts';
import { GateControl } from '../../kiosk/control.ts';
import type { Gate } from '../../kiosk/gate.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { createTokenWorld, HOLDER, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const PHOTO_REF = join(ROOT, 'fixtures/faces/person02-42.jpg');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TestGate {
  dir: string;
  gate: Gate;
  control: GateControl;
  plant: DoorPlant;
  scanner: SimulatedScanner;
  card: SimulatedCardReader;
  world: TokenWorld;
  socketPath: string;
  credentialsPath: string;
  stopServer(): Promise<void>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real gate in simulation (door twin on the plant model, camera/scanner/card twins, real
 * token stores, journal, enrolment store and face engine) with the CLI server on a socket in
 * a fresh directory. `HOLDER` of the token world is enrolled, so a scanned code starts a
 * real crossing.
 */
export async function startTestGate(
  opts: {
    engine?: FaceEngine;
    /** Starts the central link on the built gate (before the CLI server). */
    sync?: (control: GateControl, dir: string) => Promise<SyncHandle & { stop(): Promise<void> }>;
    logFile?: string;
    config?: Record<string, unknown>;
  } = {},
): Promise<TestGate> {
  const dir = mkdtempSync(join(tmpdir(), 'egate-cli-'));
  const world = createTokenWorld({ nowMs: Date.now() });
  saveTokenWorld(world, join(dir, 'tokens'));
  const config = resolvePaths(
    parseConfig({
      gate: 'CLI-01',
      dataDir: 'var',
      door: { driver: 'simulated' },
      camera: { driver: 'simulated' },
      readers: { scanners: [{ kind: 'simulated' }], card: { driver: 'simulated' } },
      tokens: { fleetKeysDir: 'tokens/fleet', trustListPath: 'tokens/trust-list.json', revocationListPath: 'tokens/revocations.json' },
      timings: { healthyBeforeServiceMs: 200 },
      ...opts.config,
    }),
    dir,
  );
  const clock = new SystemClock();
  const log = silentLogger();
  const engine = opts.engine ?? (await createFaceEngine(config.face));
  const built = await buildGate(config, { clock, log, engine });
  const gate = built.gate;
  const ref = await engine.extractReference(new Uint8Array(readFileSync(PHOTO_REF)));
  gate.deps.references.upsert(HOLDER, ref.template, { source: 'test' });
  await gate.start();
  const control = new GateControl(gate);
  const sync = opts.sync ? await opts.sync(control, dir) : undefined;
  const socketPath = join(dir, 'run', 'egate.sock');
  const credentialsPath = join(dir, 'var/keys/technicians.json');
  const serverDeps = { clock, log, socketPath, credentialsPath, ...(sync ? { sync } : {}), ...(opts.logFile ? { logFile: opts.logFile } : {}) };
  let server = await startCliServer(control, serverDeps);
  const t: TestGate = {
    dir,
    gate,
    control,
    plant: built.plant!,
    scanner: gate.deps.scanners[0] as SimulatedScanner,
    card: gate.deps.card as SimulatedCardReader,
    world,
    socketPath,
    credentialsPath,
    stopServer: () => server.stop(),
    async restartServer() {
      await server.stop();
      server = await startCliServer(control, serverDeps);
    },
    async close() {
      await server.stop().catch(() => {});
      await sync?.stop();
      await gate.stop();
      // The simulated controller's plant is started by the driver factory but not stopped by the gate.
      built.plant?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitFor(() => control.status().state === 'in_service.idle', 10_000, 'gate in service');
  return t;
}

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** maintenance_action entries after `afterSeq`. */
export function actionsAfter(g: TestGate, afterSeq: number): Record<string, unknown>[] {
  return g.control.journalStore.readAfter(afterSeq, 1000).filter((e) => e.type === 'maintenance_action').map((e) => e.data as Record<string, unknown>);
}

/** Technicians the tests create. */
export const TECH = { id: 'tech01', pin: '864209' } as const;
export const TECH2 = { id: 'tech02', pin: '531978' } as const;

/** A client logged in with a PIN. */
export async function loggedIn(g: TestGate, who: { id: string; pin: string } = TECH): Promise<CliClient> {
  const c = await CliClient.connect(g.socketPath);
  const r = (await c.request('login', { technician: who.id, pin: who.pin })) as { session: string };
  c.session = r.session;
  return c;
}

/** The error code a request is refused with (fails the test when it succeeds). */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error('expected a refusal, got success');
}
