import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimPerson } from '../../drivers/door/plant-people.ts';
import { project } from '../../kiosk/corridor/geometry.ts';
import type { CorridorGate } from './corridor-gate.ts';
import { portraitOf, renderView, type Portrait } from './corridor-render.ts';

/**
 * Travellers walking through a built walk-through gate (scripts/sim/corridor-gate.ts): each
 * one's photo is rendered into every corridor camera's view at the size and place their
 * position gives (frame by frame, on the simulated clock), their body moves through the door
 * plant's zone sensors (entry doorway, corridor, exit doorway, beyond the exit), and they
 * react to the exit door and the sign as a traveller would: through a door that is open,
 * back to the counter when the sign refuses them, back out when they change their mind.
 * The gate decides everything itself (its corridor loop, tracker, 1:N search, statechart);
 * the world only knows who is who, so it can count a door opened for the wrong person.
 */
export interface CorridorWalker {
  name: string;
  /** The photo the cameras see (fixtures/faces or the scenario's photos). */
  photo: string;
  /** The resident this walker is, when the gate may clear them (opted in, or tapping their own token). */
  sub?: string;
  enterAt: number;
  speed: number;
  x: number;
  stopAtM?: number;
  stopMs?: number;
  turnBackAtM?: number;
  /** Rushes through an exit door opened for the traveller in front. */
  tailgate?: boolean;
  /** What they tap at the entry reader as they walk in (a QR text), if anything. */
  tapQr?: string;
}

export interface CorridorWalkResult {
  outcomes: { outcome: string; reason: string; subject: string | null; via: string | null; totalMs: number }[];
  /** Per walker: ms from entering to passing the exit door line; null when they did not go out by the exit. */
  corridorMs: Record<string, number | null>;
  /** Walkers who went through the exit door though it was not theirs to open (tailgaters excepted: the gate must catch those). */
  wrongOpenings: number;
  /** Camera frames delivered to the gate during the walk. */
  frames: number;
}

type Phase = 'out' | 'in' | 'through' | 'back';
interface WalkerState { phase: Phase; z: number; stoppedUntil: number | null; stopped: boolean; waitingSince: number | null; leftAt: number | null; person?: SimPerson }

const idle = new WeakMap<CorridorGate, { calls: number; waiter: (() => void) | null }>();

/** Counts the corridor loop asking for a frame with none new: it has done everything it can with what the cameras gave. */
function loopIdle(g: CorridorGate): { calls: number; waiter: (() => void) | null } {
  let s = idle.get(g);
  if (s) return s;
  const st = { calls: 0, waiter: null as (() => void) | null };
  const cam = g.cameras[0]!.camera;
  const next = cam.nextFrame.bind(cam);
  cam.nextFrame = (timeoutMs?: number) => {
    st.calls++;
    const w = st.waiter;
    st.waiter = null;
    w?.();
    return next(timeoutMs);
  };
  idle.set(g, st);
  s = st;
  return s;
}

async function untilIdle(g: CorridorGate, after: number): Promise<void> {
  const st = loopIdle(g);
  if (st.calls > after) return;
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((r) => (st.waiter = r)),
    // A deadlock guard only: the engine takes tens of ms per frame.
    new Promise<void>((_, rej) => (guard = setTimeout(() => rej(new Error('the corridor loop did not come back for a frame in 120 s')), 120_000))),
  ]).finally(() => clearTimeout(guard));
}

const portraits = new Map<string, Promise<Portrait>>();
function portrait(g: CorridorGate, dir: string, photo: string): Promise<Portrait> {
  const key = join(dir, photo);
  let p = portraits.get(key);
  if (!p) {
    const bytes = new Uint8Array(readFileSync(key));
    p = g.gate.deps.engine.extractReference(bytes).then((r) => portraitOf(bytes, r.quality.box));
    portraits.set(key, p);
  }
  return p;
}

export async function walkCorridor(g: CorridorGate, walkers: CorridorWalker[], opts: { photosDir: string; fps?: number; untilMs?: number; tap?: (qr: string) => void }): Promise<CorridorWalkResult> {
  const fps = opts.fps ?? 10;
  const dt = 1000 / fps;
  const L = g.geometry.lengthM;
  const doorAt = L - 0.15;
  const st = new Map<string, WalkerState>(walkers.map((w) => [w.name, { phase: 'out', z: 0, stoppedUntil: null, stopped: false, waitingSince: null, leftAt: null }]));
  const outcomes: CorridorWalkResult['outcomes'] = [];
  let started = 0;
  const off = g.gate.bus.on('journal', (j) => {
    if (j.type === 'crossing_started') started++;
    if (j.type !== 'crossing_finished') return;
    const d = j.data as { outcome: string; reason: string; subject: string | null; token_type: string | null; durations: { total_ms: number } };
    outcomes.push({ outcome: d.outcome, reason: d.reason, subject: d.subject, via: d.token_type, totalMs: d.durations.total_ms });
  });
  const lp = loopIdle(g);
  let wrong = 0;
  let frames = 0;
  try {
    for (let t = 0; t < (opts.untilMs ?? 40_000); t += dt) {
      const exitPos = g.plant.leaf('exit').position;
      for (const w of walkers) {
        const s = st.get(w.name)!;
        if (t < w.enterAt || s.phase === 'through' || s.phase === 'back') continue;
        if (s.phase === 'out') {
          s.phase = 'in';
          s.person = g.plant.traveller(w.name).arrive();
          void s.person.enterMantrap();
          if (w.tapQr) opts.tap?.(w.tapQr);
        }
        if (s.stoppedUntil !== null && t < s.stoppedUntil) continue;
        if (w.stopAtM !== undefined && !s.stopped && s.z >= w.stopAtM) {
          s.stopped = true;
          s.stoppedUntil = t + (w.stopMs ?? 2000);
          continue;
        }
        if (w.turnBackAtM !== undefined && s.z >= w.turnBackAtM) {
          // Walking back shows the cameras the back of the head: they see nobody.
          s.phase = 'back';
          void s.person!.backOut();
          continue;
        }
        const speed = w.tailgate && exitPos > 0.3 ? Math.max(w.speed, 1.8) : w.speed;
        s.z = Math.min(doorAt, s.z + (speed * dt) / 1000);
        if (s.z < doorAt) continue;
        if (exitPos >= 0.7) {
          s.phase = 'through';
          s.leftAt = t;
          void s.person!.exit();
          // The door opened for someone: right only if this walker is an opted-in resident the gate may clear.
          if (!w.sub && !w.tailgate) wrong++;
          continue;
        }
        s.waitingSince ??= t;
        const waited = t - s.waitingSince;
        const refused = g.gate.screen?.screen === 'refused' || g.gate.screen?.screen === 'tailgate';
        if ((refused && waited > 800) || (w.tailgate && waited > 1500) || waited > 8000) {
          s.phase = 'back';
          void s.person!.backOut();
        }
      }
      // Every camera's view of this instant: the walkers facing it, farthest drawn first.
      await Promise.all(
        g.cameras.map(async ({ camera }, i) => {
          const cam = g.geometry.cameras[i]!;
          const faces = [];
          for (const w of walkers) {
            const s = st.get(w.name)!;
            if (s.phase !== 'in') continue;
            const p = project(cam, s.z, w.x);
            if (p) faces.push({ portrait: await portrait(g, opts.photosDir, w.photo), box: p.box, d: cam.z - s.z });
          }
          faces.sort((a, b) => b.d - a.d);
          await camera.show(faces.length ? await renderView(cam, faces) : null);
        }),
      );
      // One frame period, in 5 ms steps; when the cameras deliver, the loop finishes with their frames first.
      for (let k = 0; k < dt; k += 5) {
        const seq = g.cameras[0]!.camera.latest()?.seq ?? 0;
        const before = lp.calls;
        await g.wait(Math.min(5, dt - k));
        const fresh = (g.cameras[0]!.camera.latest()?.seq ?? 0) > seq;
        if (fresh) frames += g.cameras.length;
        if (fresh && g.gate.state?.mode === 'in_service') await untilIdle(g, before);
      }
      const done = walkers.every((w) => st.get(w.name)!.phase === 'through' || st.get(w.name)!.phase === 'back');
      if (done && outcomes.length >= started && started > 0 && g.gate.state?.state.includes('watching')) break;
    }
  } finally {
    off();
  }
  const corridorMs: Record<string, number | null> = {};
  for (const w of walkers) {
    const s = st.get(w.name)!;
    corridorMs[w.name] = s.leftAt === null ? null : s.leftAt - w.enterAt;
  }
  return { outcomes, corridorMs, wrongOpenings: wrong, frames };
}
