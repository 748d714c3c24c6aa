/**
 * Decisions over several frames of one presentation. The gate sees a traveller for dozens of
 * frames; deciding on whichever single frame first clears the threshold gives an impostor as
 * many chances as there are frames. Instead the frames are pooled: the best K frames by
 * quality are averaged into one template (weighted by quality), and that one template is
 * compared with the reference; liveness is the weighted mean over the same frames.
 */
import { cosine } from './embed.ts';
import type { FaceQuality } from './types.ts';

export interface FusionFrame {
  /** L2-normalised template of the frame's face. */
  template: Float32Array;
  quality: FaceQuality;
  liveness: number | null;
}

export interface FusedView {
  /** Cosine of the fused template with the reference. */
  score: number;
  /** Weighted mean liveness of the pooled frames (null when a frame had none). */
  liveness: number | null;
  /** Frames pooled (≤ K). */
  frames: number;
}

/**
 * How much a frame can be trusted, 0..1: detector confidence, face size (inter-eye distance;
 * 60 px and more counts fully), pose (cosine of yaw and pitch) and sharpness (variance of the
 * Laplacian; 150 and more counts fully — sharp photos measure 247–2162, blur σ 3 px 17–68).
 */
export function frameWeight(q: FaceQuality): number {
  const rad = Math.PI / 180;
  const size = Math.min(1, q.interEyePx / 60);
  const pose = Math.max(0, Math.cos(q.yaw * rad)) * Math.max(0, Math.cos(q.pitch * rad));
  const sharp = Math.min(1, q.sharpness / 150);
  return Math.max(0, q.detectionScore) * size * pose * sharp;
}

/** Quality-weighted mean of templates, L2-normalised again. */
export function fuseTemplates(frames: readonly { template: Float32Array; weight: number }[]): Float32Array {
  const n = frames[0]?.template.length ?? 0;
  const out = new Float32Array(n);
  for (const f of frames) {
    const w = f.weight > 0 ? f.weight : 1e-6;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w * f.template[i]!;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += out[i]! * out[i]!;
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < n; i++) out[i] = out[i]! * k;
  return out;
}

/**
 * The best K frames of one presentation so far. Adding a frame costs one weighted sum of at
 * most K templates (512 values each) and one cosine: microseconds next to a 25-ms frame.
 */
export class PresentationFusion {
  private readonly best: (FusionFrame & { weight: number })[] = [];

  constructor(readonly k = 3) {}

  get size(): number {
    return this.best.length;
  }

  add(frame: FusionFrame): void {
    const weight = frameWeight(frame.quality);
    this.best.push({ ...frame, weight });
    this.best.sort((a, b) => b.weight - a.weight);
    if (this.best.length > this.k) this.best.pop();
  }

  fusedTemplate(): Float32Array | null {
    return this.best.length ? fuseTemplates(this.best) : null;
  }

  against(reference: Float32Array): FusedView | null {
    const t = this.fusedTemplate();
    if (!t) return null;
    let live: number | null = 0, w = 0;
    for (const f of this.best) {
      if (f.liveness === null || live === null) { live = null; continue; }
      const fw = f.weight > 0 ? f.weight : 1e-6;
      live += fw * f.liveness;
      w += fw;
    }
    return { score: cosine(reference, t), liveness: live === null ? null : live / w, frames: this.best.length };
  }
}
