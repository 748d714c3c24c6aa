import type { FaceEngine, FaceReference, ImageInput } from '../biometrics/index.ts';

export type CaptureDecision = 'match' | 'no_match' | 'spoof' | 'no_face' | 'poor_quality';

const RANK: Record<CaptureDecision, number> = { spoof: 4, match: 3, no_match: 2, poor_quality: 1, no_face: 0 };

/**
 * One live capture for the registration kiosk: up to `frames` camera frames, each judged by the
 * engine against the chip photo's template (quality, presentation attack and the 1:1 in one call;
 * a `chip` reference is decided at the chip operating point). Each frame's first quality problem
 * is handed to `guide` so the visitor is told what to fix while the capture runs. A presentation
 * attack on any frame decides the capture at once; otherwise a match on any frame, then a
 * non-match, then the quality problem. A camera that gives no frame counts as "no face".
 */
export async function captureAgainstChip(
  deps: { engine: Pick<FaceEngine, 'verify'>; nextFrame: () => Promise<ImageInput>; frames: number },
  reference: FaceReference,
  guide: (issue: string) => void,
): Promise<CaptureDecision> {
  let best: CaptureDecision = 'no_face';
  for (let i = 0; i < deps.frames; i++) {
    let frame: ImageInput;
    try {
      frame = await deps.nextFrame();
    } catch {
      guide('no_face');
      continue;
    }
    const v = await deps.engine.verify(reference, frame);
    if (v.decision === 'spoof') return 'spoof';
    if (v.issues[0]) guide(v.issues[0]);
    else if (v.decision === 'no_face') guide('no_face');
    if (RANK[v.decision] > RANK[best]) best = v.decision;
    if (best === 'match') return best;
  }
  return best;
}
