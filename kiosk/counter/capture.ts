import sharp from 'sharp';
import type { PortraitConfig, PortraitRuleId } from '../../config/sections/portrait.ts';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { FaceEngine, FaceReference, QualityIssue, RawFrame, VerifyResult } from '../biometrics/index.ts';
import { checkPortrait } from '../portrait/check.ts';

/** What one capture gives the officer: the kept frame (JPEG), its 1:1 with the chip, liveness, compliance. */
export interface CounterCapture {
  /** JPEG of the best frame; null when no frame showed a face. Goes ONLY into the arrival record. */
  portrait: Uint8Array | null;
  decision: VerifyResult['decision'];
  score: number | null;
  threshold: number;
  liveness: number | null;
  /** The lowest portrait-rule score of the kept frame, 0–100 (0 without a face). */
  quality: number;
  compliant: boolean;
  /** Failing portrait rules, in the order to fix them, with their English wording for the officer. */
  failing: { rule: PortraitRuleId; en: string }[];
  frames: number;
}

export interface CaptureDeps {
  camera: Pick<Camera, 'nextFrame'>;
  engine: Pick<FaceEngine, 'verify' | 'locateFace'>;
  portrait: PortraitConfig;
  framesPerCapture: number;
  frameTimeoutMs: number;
}

/** A frame without quality issues beats one with; among equals, the sharper and surer face. */
function rank(r: VerifyResult): number {
  if (!r.quality) return -Infinity;
  return (r.issues.length === 0 ? 1e6 : 0) - r.issues.length * 1e3 + r.quality.detectionScore * Math.min(r.quality.sharpness, 500);
}

/**
 * Takes up to `framesPerCapture` frames, judges each 1:1 against the chip reference (PAD,
 * quality), tells the visitor what to fix as it goes, and keeps the best; stops early at
 * the second frame without a quality issue. The kept frame alone then gets the portrait
 * compliance check (it is the photo kept with the arrival record).
 */
export async function captureBest(deps: CaptureDeps, reference: FaceReference, guide: (issue: QualityIssue) => void): Promise<CounterCapture> {
  let best: { frame: RawFrame; r: VerifyResult } | undefined;
  let clean = 0;
  let frames = 0;
  for (; frames < deps.framesPerCapture && clean < 2; ) {
    const f = await deps.camera.nextFrame(deps.frameTimeoutMs);
    const frame: RawFrame = { width: f.width, height: f.height, channels: 3, data: f.data };
    const r = await deps.engine.verify(reference, frame);
    frames++;
    if (r.issues.length === 0 && r.quality) clean++;
    else guide(r.issues[0] ?? 'no_face');
    if (!best || rank(r) > rank(best.r)) best = { frame, r };
  }
  const r = best!.r;
  if (!r.quality) return { portrait: null, decision: r.decision, score: null, threshold: r.threshold, liveness: null, quality: 0, compliant: false, failing: [{ rule: 'oneFace', en: 'No face can be seen' }], frames };
  const f = best!.frame;
  const portrait = new Uint8Array(await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  const p = await checkPortrait(portrait, deps.engine, deps.portrait);
  return {
    portrait,
    decision: r.decision,
    score: r.score,
    threshold: r.threshold,
    liveness: r.liveness,
    quality: Math.round(Math.min(...p.rules.map((x) => x.score))),
    compliant: p.compliant,
    failing: p.failing.map((x) => ({ rule: x.rule, en: x.wording.en })),
    frames,
  };
}
