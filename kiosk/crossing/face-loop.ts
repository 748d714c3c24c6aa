import type { Camera } from '../../drivers/camera/interface.ts';
import { PresentationFusion } from '../biometrics/fusion.ts';
import type { FaceEngine, FaceReference, VerifyResult } from '../biometrics/index.ts';
import type { FaceVerdict } from './types.ts';

/**
 * Frames pooled per presentation (issue 13, scripts/bench-fusion.ts): the score reported is that
 * of the quality-weighted template of the best K usable frames so far, not of the latest frame
 * alone. 1 turns pooling off (every frame decided on its own).
 */
export const FUSION_FRAMES = 3;

/**
 * The verdict on the presentation so far: the frame's own verdict when it is unusable (no face,
 * poor quality) or a spoof — liveness stays per frame, the machine counts spoof streaks — else
 * match/no_match on the fused score at the frame's threshold.
 */
export function fuseVerdict(r: VerifyResult, fusion: PresentationFusion, reference: FaceReference): VerifyResult {
  if (fusion.k <= 1 || !r.template || !r.quality || (r.decision !== 'match' && r.decision !== 'no_match')) return r;
  fusion.add({ template: r.template, quality: r.quality, liveness: r.liveness });
  const view = fusion.against(reference.template);
  if (!view) return r;
  return { ...r, score: view.score, decision: view.score >= r.threshold ? 'match' : 'no_match' };
}

/**
 * The face-verification activity of the crossing: takes the newest camera frame, verifies it
 * against the reference, reports the verdict, and repeats until stopped. One frame in flight
 * at a time, always the latest one (a slow frame never builds a queue). The machine decides
 * what verdicts mean; this loop only measures.
 */
export function runFaceLoop(
  deps: { camera: Camera; engine: FaceEngine; onError: (err: unknown) => void; fusionFrames?: number },
  reference: FaceReference,
  report: (v: FaceVerdict) => void,
): () => void {
  let stopped = false;
  // One loop is one presentation: the pool starts empty for every traveller.
  const fusion = new PresentationFusion(deps.fusionFrames ?? FUSION_FRAMES);
  void (async () => {
    while (!stopped) {
      let result: VerifyResult;
      try {
        const frame = await deps.camera.nextFrame(2000);
        if (stopped) break;
        result = fuseVerdict(await deps.engine.verify(reference, frame), fusion, reference);
      } catch (err) {
        if (stopped) break;
        deps.onError(err);
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (stopped) break;
      report(toVerdict(result));
    }
  })();
  return () => {
    stopped = true;
  };
}

export function toVerdict(r: VerifyResult): FaceVerdict {
  return {
    decision: r.decision,
    score: r.score,
    liveness: r.liveness,
    issues: [...r.issues],
    otherFaces: r.otherFaces,
    ms: r.timings.total ?? 0,
  };
}
