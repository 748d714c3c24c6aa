import { cosine } from '../biometrics/embed.ts';
import { PresentationFusion } from '../biometrics/fusion.ts';
import type { FaceQuality } from '../biometrics/types.ts';
import { locate, type Box, type CorridorGeometry } from './geometry.ts';

/**
 * Travellers followed through the corridor's cameras. Every camera frame brings zero or more
 * faces; each is placed in the corridor (geometry.ts) and given to the track it fits best —
 * near where that track should be by now, and with a face like the track's — or starts a new
 * track. A track pools its best frames from every camera (the fusion of issue 13) until the
 * crossing decides on it. Pure: time comes in with each frame, nothing waits.
 */

/** One face the detector found in one frame. Its template is biometric data: memory only. */
export interface FaceDetection {
  box: Box;
  quality: FaceQuality;
  /** L2-normalised template. */
  template: Float32Array;
  liveness: number | null;
}

export interface CameraFrame {
  camera: string;
  /** Monotonic ms when the frame was captured. */
  at: number;
  detections: readonly FaceDetection[];
}

export interface TrackerOptions {
  geometry: CorridorGeometry;
  /** Largest gap (m) between where a track should be and a face, for the face to be its. */
  gateM?: number;
  /** Two faces less alike than this (cosine) are different people, wherever they stand. */
  sameFace?: number;
  /** A track not seen for this long has left the cameras' view (turned back, went out). */
  lostAfterMs?: number;
  /** Frames pooled per track (best by quality, across cameras). */
  fusionFrames?: number;
}

export interface Track {
  id: number;
  firstSeen: number;
  lastSeen: number;
  /** Latest position along (z) and across (x) the corridor, metres. */
  z: number;
  x: number;
  /** Where the speed is measured from (a sighting at least 0.25 s old), and how many spans so far. */
  ref: { z: number; at: number; n: number };
  /** Distance from the camera of the latest sighting (how sure the position is). */
  lastDistance: number;
  /** Walking speed along the corridor, m/s (smoothed; negative = walking back). */
  vz: number;
  frames: number;
  cameras: Set<string>;
  /** Running mean of the track's templates, for association only. */
  anchor: Float32Array;
  fusion: PresentationFusion;
}

export interface TrackView {
  id: number;
  z: number;
  x: number;
  vz: number;
  frames: number;
  cameras: number;
  /** Seconds until the exit door at the current speed (Infinity when not walking towards it). */
  etaS: number;
  /** In front of the exit door (within geometry.exitZoneM of it, not yet through). */
  atExit: boolean;
  /** The pooled template and liveness of the track's best frames (null before any frame). */
  fused: { template: Float32Array; liveness: number | null; frames: number } | null;
}

export class TrackerError extends Error {
  constructor(readonly code: 'CAMERA_UNKNOWN' | 'FRAME_OUT_OF_ORDER', message: string) {
    super(message);
    this.name = 'TrackerError';
  }
}

/** Nobody walks (or runs) through a border corridor faster than this, m/s. */
const MAX_SPEED = 3;

export class CorridorTracker {
  readonly #g: CorridorGeometry;
  readonly #gateM: number;
  readonly #sameFace: number;
  readonly #lostAfterMs: number;
  readonly #k: number;
  readonly #tracks = new Map<number, Track>();
  #nextId = 1;
  #lastAt = -Infinity;

  constructor(opts: TrackerOptions) {
    this.#g = opts.geometry;
    this.#gateM = opts.gateM ?? 0.7;
    this.#sameFace = opts.sameFace ?? 0.3;
    this.#lostAfterMs = opts.lostAfterMs ?? 1500;
    this.#k = opts.fusionFrames ?? 5;
  }

  /**
   * Takes one camera frame; returns the ids of the tracks its faces went to, in detection
   * order. Frames must come in capture order across cameras (the corridor loop merges them).
   */
  observe(frame: CameraFrame): number[] {
    const cam = this.#g.cameras.find((c) => c.id === frame.camera);
    if (!cam) throw new TrackerError('CAMERA_UNKNOWN', `no camera ${frame.camera} in the corridor`);
    if (frame.at < this.#lastAt) throw new TrackerError('FRAME_OUT_OF_ORDER', `frame at ${frame.at} after one at ${this.#lastAt}`);
    this.#lastAt = frame.at;
    this.#expire(frame.at);
    // Every (track, face) pair that may be the same person, cheapest first; greedy assignment
    // is exact enough for the two or three people a 5-m corridor holds.
    const placed = frame.detections.map((d) => ({ d, p: locate(cam, d.box) }));
    const pairs: { t: Track; i: number; cost: number }[] = [];
    for (const t of this.#tracks.values()) {
      const dt = Math.max(0, frame.at - t.lastSeen) / 1000;
      const pz = t.z + t.vz * dt;
      placed.forEach(({ d, p }, i) => {
        const gap = Math.hypot(p.z - pz, p.x - t.x);
        // Position is less sure far from the camera (a pixel of box width is more metres), for
        // the new face and for the track's last sighting alike.
        const gate = this.#gateM * (1 + Math.max(p.distance, t.lastDistance) / 4) + 0.5 * dt;
        const sim = cosine(t.anchor, d.template);
        if (gap > gate || sim < this.#sameFace) return;
        pairs.push({ t, i, cost: gap / gate + (1 - sim) });
      });
    }
    pairs.sort((a, b) => a.cost - b.cost);
    const out: (number | undefined)[] = placed.map(() => undefined);
    const taken = new Set<number>();
    for (const { t, i } of pairs) {
      if (out[i] !== undefined || taken.has(t.id)) continue;
      out[i] = t.id;
      taken.add(t.id);
      this.#update(t, placed[i]!.d, placed[i]!.p, frame);
    }
    placed.forEach(({ d, p }, i) => {
      if (out[i] === undefined) out[i] = this.#start(d, p, frame).id;
    });
    return out as number[];
  }

  /** Time passes without frames (a camera stalled, nobody in view): tracks not seen expire. */
  tick(at: number): void {
    this.#expire(at);
  }

  /** Tracks in the corridor now, nearest the exit first. */
  views(): TrackView[] {
    return [...this.#tracks.values()].map((t) => this.view(t.id)!).sort((a, b) => b.z - a.z);
  }

  view(id: number): TrackView | null {
    const t = this.#tracks.get(id);
    if (!t) return null;
    const toGo = this.#g.lengthM - t.z;
    const template = t.fusion.fusedTemplate();
    const fv = template ? t.fusion.against(template) : null;
    return {
      id: t.id,
      z: t.z,
      x: t.x,
      vz: t.vz,
      frames: t.frames,
      cameras: t.cameras.size,
      etaS: t.vz > 0.05 ? Math.max(0, toGo) / t.vz : Infinity,
      // Past the door line they are through, no longer in front of it.
      atExit: toGo <= this.#g.exitZoneM && toGo >= 0,
      fused: fv && template ? { template, liveness: fv.liveness, frames: fv.frames } : null,
    };
  }

  /** Forgets a track (the traveller went out through the exit, or back out of the entry). */
  drop(id: number): void {
    this.#tracks.delete(id);
  }

  get size(): number {
    return this.#tracks.size;
  }

  #start(d: FaceDetection, p: { z: number; x: number; distance: number }, frame: CameraFrame): Track {
    const t: Track = {
      id: this.#nextId++,
      firstSeen: frame.at,
      lastSeen: frame.at,
      z: p.z,
      x: p.x,
      lastDistance: p.distance,
      ref: { z: p.z, at: frame.at, n: 0 },
      vz: 0,
      frames: 0,
      cameras: new Set(),
      anchor: d.template.slice(),
      fusion: new PresentationFusion(this.#k),
    };
    this.#tracks.set(t.id, t);
    this.#pool(t, d, frame);
    return t;
  }

  #update(t: Track, d: FaceDetection, p: { z: number; x: number; distance: number }, frame: CameraFrame): void {
    const dt = (frame.at - t.lastSeen) / 1000;
    // Speed from successive positions, smoothed: box widths jitter by a pixel or two.
    // Two sightings 50 ms apart from different cameras differ by their position error, not by
    // walking: speed comes from sightings at least 0.25 s apart, smoothed, within walking speeds.
    const span = (frame.at - t.ref.at) / 1000;
    if (span >= 0.25) {
      const v = Math.max(-MAX_SPEED, Math.min(MAX_SPEED, (p.z - t.ref.z) / span));
      t.vz = t.ref.n === 0 ? v : 0.5 * t.vz + 0.5 * v;
      t.ref = { z: p.z, at: frame.at, n: t.ref.n + 1 };
    }
    t.z = p.z;
    t.x = p.x;
    t.lastDistance = p.distance;
    t.lastSeen = frame.at;
    const n = Math.min(t.frames, 9);
    for (let i = 0; i < t.anchor.length; i++) t.anchor[i] = (t.anchor[i]! * n + d.template[i]!) / (n + 1);
    let s = 0;
    for (let i = 0; i < t.anchor.length; i++) s += t.anchor[i]! * t.anchor[i]!;
    const k = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < t.anchor.length; i++) t.anchor[i] = t.anchor[i]! * k;
    this.#pool(t, d, frame);
  }

  #pool(t: Track, d: FaceDetection, frame: CameraFrame): void {
    t.frames++;
    t.cameras.add(frame.camera);
    t.fusion.add({ template: d.template, quality: d.quality, liveness: d.liveness });
  }

  #expire(at: number): void {
    for (const t of this.#tracks.values()) if (at - t.lastSeen > this.#lostAfterMs) this.#tracks.delete(t.id);
  }
}
