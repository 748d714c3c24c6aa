import type { FaceEngine, ImageInput } from '../biometrics/index.ts';
import type { LiveResult } from './photo-kiosk.ts';

const RANK: Record<LiveResult['decision'], number> = { spoof: 4, match: 3, no_match: 2, poor_quality: 1, no_face: 0 };

/**
 * One live attempt: `frames` frames from the camera, each judged by the engine against the
 * print's template (PAD, quality and the 1:1 in one call). A presentation attack on any
 * frame decides the attempt (an attacker gets no second frame); otherwise a match on any
 * frame (the best score), then a non-match (the best score), then the last quality problem.
 */
export async function verifyLiveFrames(engine: Pick<FaceEngine, 'verify'>, nextFrame: () => Promise<ImageInput>, reference: Float32Array, frames: number, operatingPoint: string): Promise<LiveResult> {
  let best: LiveResult | undefined;
  for (let i = 0; i < frames; i++) {
    const v = await engine.verify({ template: reference, source: 'enrolment' }, await nextFrame(), { operatingPoint });
    const r: LiveResult = { decision: v.decision, score: v.score, liveness: v.liveness, issues: v.issues };
    if (!best || RANK[r.decision] > RANK[best.decision] || (r.decision === best.decision && (r.score ?? -1) > (best.score ?? -1))) best = r;
    if (r.decision === 'spoof') break;
  }
  return best!;
}
