import sharp from 'sharp';
import type { FaceEngine } from '../biometrics/index.ts';
import type { SimulatedClock } from '../clock.ts';

/** Pieces both self-test rigs (pedestrian door, vehicle barrier) share. */

export type RawView = { width: number; height: number; channels: 3; data: Uint8Array };

/** The photo as the gate camera sees a traveller or driver: head and shoulders fitted in the frame. */
export async function cameraView(file: Buffer): Promise<RawView> {
  const { data, info } = await sharp(file).rotate().resize(640, 480, { fit: 'contain', background: { r: 96, g: 96, b: 96 } }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * The release's engine with each verification counted in `judging`, so the rig's simulated
 * clock stands still while a frame is judged; closing it is not the self-test's business.
 */
export function countingEngine(e: FaceEngine, judging: Set<Promise<unknown>>): FaceEngine {
  return {
    extractReference: (i) => e.extractReference(i),
    locateFace: (f) => e.locateFace(f),
    compare: (a, b) => e.compare(a, b),
    close: async () => {},
    verify: (r, f, opt) => {
      const p = e.verify(r, f, opt);
      judging.add(p);
      void p.finally(() => judging.delete(p)).catch(() => {});
      return p;
    },
  };
}

/**
 * Steps the rig's simulated clock 5 ms at a time until `pred` holds, standing still while a
 * frame is judged (the engine's real time must not count against the lane's budgets).
 */
export async function stepUntil(clock: SimulatedClock, judging: Set<Promise<unknown>>, pred: () => boolean, maxMs: number, what: string, state: () => string): Promise<void> {
  const end = clock.monotonic() + maxMs;
  while (!pred()) {
    if (clock.monotonic() > end) throw new Error(`${what} within ${maxMs} ms (state ${state()})`);
    if (judging.size) await Promise.race(judging).catch(() => {});
    else clock.advance(5);
    await new Promise((r) => setImmediate(r));
  }
}

/** Stops a rig's twins: their stop waits on the simulated clock, which is moved meanwhile. */
export async function stopTwins(clock: SimulatedClock, stops: Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) {
    clock.advance(5);
    await new Promise((r) => setImmediate(r));
  }
  await stops.catch(() => {});
}
