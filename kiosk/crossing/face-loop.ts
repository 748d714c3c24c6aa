import type { Camera } from '../../drivers/camera/interface.ts';
import type { FaceEngine, FaceReference, VerifyResult } from '../biometrics/index.ts';
import type { FaceVerdict } from './types.ts';

/**
 * The face-verification activity of the crossing: takes the newest camera frame, verifies it
 * against the reference, reports the verdict, and repeats until stopped. One frame in flight
 * at a time, always the latest one (a slow frame never builds a queue). The machine decides
 * what verdicts mean; this loop only measures.
 */
export function runFaceLoop(
  deps: { camera: Camera; engine: FaceEngine; onError: (err: unknown) => void },
  reference: FaceReference,
  report: (v: FaceVerdict) => void,
): () => void {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      let result: VerifyResult;
      try {
        const frame = await deps.camera.nextFrame(2000);
        if (stopped) break;
        result = await deps.engine.verify(reference, frame);
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
