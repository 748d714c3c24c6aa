import type { FaceDetection } from '../../kiosk/corridor/tracker.ts';
import { project, type CorridorCamera } from '../../kiosk/corridor/geometry.ts';
import type { FaceQuality } from '../../kiosk/biometrics/types.ts';

/**
 * How a simulated traveller moves through the corridor: enters at `enterAt` (ms), walks at
 * `speed` m/s along a lane `x`, and may stop for a while or turn back at some point. The
 * position is a pure function of time, so the world, the tests and the benchmark agree.
 */
export interface Walk {
  enterAt: number;
  speed: number;
  x: number;
  /** Stops at z = stop.atM for stop.ms, then walks on. */
  stop?: { atM: number; ms: number };
  /** Turns round at this z and walks back out at the same speed. */
  turnBackAtM?: number;
  /** Waits in front of a shut door instead of walking through it. */
  doorAtM?: number;
}

/** z along the corridor at time t (ms); null before entering or after walking back out. */
export function walkerZ(w: Walk, t: number, doorOpen: (z: number) => boolean = () => true): number | null {
  if (t < w.enterAt) return null;
  let s = ((t - w.enterAt) / 1000) * w.speed;
  if (w.stop && s > w.stop.atM) s = Math.max(w.stop.atM, s - (w.stop.ms / 1000) * w.speed);
  if (w.turnBackAtM !== undefined && s > w.turnBackAtM) {
    const z = 2 * w.turnBackAtM - s;
    return z < 0 ? null : z;
  }
  if (w.doorAtM !== undefined && s > w.doorAtM && !doorOpen(s)) return w.doorAtM;
  return s;
}

/** A good frontal face at the distance the box implies (what the face engine reports for one). */
export function qualityFor(box: [number, number, number, number], sharpness = 300): FaceQuality {
  const w = box[2] - box[0];
  return { box, detectionScore: 0.99, interEyePx: w * 0.42, yaw: 0, pitch: 0, roll: 0, sharpness, exposure: 120, faceCount: 1 };
}

/** A unit template near `base` (cosine ≈ 1 − noise²/2 on average), seeded by `rnd`. */
export function noisyTemplate(base: Float32Array, noise: number, rnd: () => number): Float32Array {
  const out = new Float32Array(base.length);
  const per = noise / Math.sqrt(base.length);
  let s = 0;
  for (let i = 0; i < base.length; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    out[i] = base[i]! + per * g;
    s += out[i]! * out[i]!;
  }
  const k = 1 / Math.sqrt(s);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  return out;
}

export function randomTemplate(rnd: () => number, n = 512): Float32Array {
  return noisyTemplate(new Float32Array(n), 1, rnd);
}

/**
 * The synthetic detection one camera makes of a traveller at (z, x): the box from the pinhole
 * projection jittered by `jitterPx`, the quality it implies, a noisy copy of their template.
 */
export function detectionOf(
  cam: CorridorCamera,
  person: { z: number; x: number; template: Float32Array; liveness: number },
  rnd: () => number,
  jitterPx = 1,
  templateNoise = 0.6,
): FaceDetection | null {
  const p = project(cam, person.z, person.x);
  if (!p) return null;
  const j = (): number => (rnd() * 2 - 1) * jitterPx;
  const box: [number, number, number, number] = [p.box[0] + j(), p.box[1] + j(), p.box[2] + j(), p.box[3] + j()];
  return { box, quality: qualityFor(box), template: noisyTemplate(person.template, templateNoise, rnd), liveness: person.liveness };
}
