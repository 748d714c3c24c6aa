import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.ts';
import { SimulatedCamera } from '../../drivers/camera/twin.ts';
import type { DoorPlant } from '../../drivers/door/plant.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { buildGate, resolvePaths } from '../../kiosk/build.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { CorridorCameras } from '../../kiosk/corridor/cameras.ts';
import { corridorGeometry } from '../../kiosk/corridor/parts.ts';
import type { CorridorGeometry } from '../../kiosk/corridor/geometry.ts';
import type { Gate } from '../../kiosk/gate.ts';
import type { Logger } from '../../kiosk/log.ts';
import { createTokenWorld, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { writeTokenFiles } from './tokens-for.ts';

/**
 * A walk-through gate built by the product's own builder (buildGate, profile walkthrough) on
 * one simulated clock: the corridor's camera twins, the door controller twin (the real polled
 * Modbus-register master on the plant model), the real face engine, enrolment store, token
 * checks and journal. The 30° lenses hang on the axis from mid-corridor to 1 m past the door,
 * so every face the engine needs (about 90 px) is seen at 1.2–2 m from some camera.
 */
export interface CorridorGate {
  gate: Gate;
  plant: DoorPlant;
  clock: SimulatedClock;
  cameras: { id: string; camera: SimulatedCamera }[];
  geometry: CorridorGeometry;
  tokens: TokenWorld;
  /** Lets `ms` of simulated time pass in 5 ms steps, promises settling between them. */
  wait(ms: number): Promise<void>;
  close(): Promise<void>;
}

export const CORRIDOR_SIM_CAMERAS = [2.6, 3.7, 4.8, 6.0];

/** A resident enrolled from `photo` before the gate starts (the gallery is loaded as it enters service); optIn: token-free 1:N (default true). */
export interface SimResident {
  sub: string;
  photo: string;
  optIn?: boolean;
}

export async function startCorridorGate(opts: { log: Logger; engine?: FaceEngine; fps?: number; photosDir: string; residents: SimResident[]; dataDir?: string; cameras?: number }): Promise<CorridorGate> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'egate-corridor-'));
  const clock = new SimulatedClock();
  const zs = opts.cameras === 3 ? [2.8, 4.3, 6.0] : CORRIDOR_SIM_CAMERAS;
  const config = resolvePaths(
    parseConfig({
      gate: 'SIM-WT1',
      profile: 'walkthrough',
      dataDir: 'var',
      door: { driver: 'simulated', layout: 'pedestrian' },
      camera: { driver: 'simulated' },
      readers: { scanners: [{ kind: 'simulated' }], card: { driver: 'simulated' } },
      timings: { healthyBeforeServiceMs: 1000 },
      // Two engine workers: the corridor loop puts every camera's frame in the engine at once.
      face: { workers: 2 },
      corridor: {
        cameras: zs.map((z, i) => ({ id: `cam${i + 1}`, z, x: 0, hfovDeg: 30, camera: { driver: 'simulated', width: 640, height: 480, fps: opts.fps ?? 10 } })),
      },
    }),
    dataDir,
  );
  const tokens = createTokenWorld({ nowMs: clock.now(), service: config.service });
  writeTokenFiles(tokens, config.tokens, []);
  const built = await buildGate(config, { clock, log: opts.log, ...(opts.engine ? { engine: opts.engine } : {}) });
  const { gate, plant } = built;
  if (!plant) throw new Error('the corridor simulation needs the door controller twin');
  const all = gate.deps.camera;
  if (!(all instanceof CorridorCameras)) throw new Error('a walkthrough gate has corridor cameras');
  const cameras = all.cameras.map(({ id, camera }) => {
    if (!(camera instanceof SimulatedCamera)) throw new Error('the corridor simulation needs camera twins');
    return { id, camera };
  });
  const wait = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 5) {
      clock.advance(Math.min(5, ms - t));
      await new Promise((r) => setImmediate(r));
    }
  };
  for (const r of opts.residents) {
    const ref = await gate.deps.engine.extractReference(new Uint8Array(readFileSync(join(opts.photosDir, r.photo))));
    gate.deps.references.upsert(r.sub, ref.template, { source: 'enrolment-photo', quality: { ...ref.quality } as never });
    if (r.optIn !== false) gate.deps.references.setIdentificationOptIn(r.sub, true);
  }
  // Gate.start waits on the door link, which runs on the simulated clock: keep time moving.
  let started = false;
  const starting = gate.start().then(() => (started = true));
  for (let t = 0; t < 10_000 && !started; t += 5) await wait(5);
  await starting;
  return {
    gate,
    plant,
    clock,
    cameras,
    geometry: corridorGeometry(config.corridor),
    tokens,
    wait,
    async close() {
      const stopping = gate.stop();
      let done = false;
      void stopping.finally(() => (done = true));
      // Real time between the steps: a frame still in the face engine finishes before the stop bounds (simulated) run out.
      for (let t = 0; t < 10_000 && !done; t += 5) {
        clock.advance(5);
        await new Promise((r) => setTimeout(r, 1));
      }
      await stopping;
      plant.stop();
      if (!opts.dataDir && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
