import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { FaceEngine, FaceQuality, FaceReference, VerifyResult } from '../../kiosk/biometrics/index.ts';
import { FUSION_FRAMES, runFaceLoop } from '../../kiosk/crossing/face-loop.ts';
import type { FaceVerdict } from '../../kiosk/crossing/types.ts';

const q = (sharpness: number): FaceQuality => ({ box: [0, 0, 100, 100], detectionScore: 0.99, interEyePx: 80, yaw: 0, pitch: 0, roll: 0, sharpness, exposure: 120, faceCount: 1 });
/** Unit template at angle a (radians) in the plane of axes 0 and 1: its cosine with axis 0 is cos a. */
const at = (a: number): Float32Array => { const t = new Float32Array(512); t[0] = Math.cos(a); t[1] = Math.sin(a); return t; };
const reference: FaceReference = { template: at(0), source: 'enrolment' };

function frameResult(template: Float32Array, sharpness: number, decision?: VerifyResult['decision']): VerifyResult {
  const score = template[0]!;
  return { decision: decision ?? (score >= 0.5 ? 'match' : 'no_match'), score, threshold: 0.5, liveness: 0.9, quality: q(sharpness), issues: [], otherFaces: 0, template, timings: { total: 20 } };
}

/** Feeds the loop canned engine answers, one per frame, and collects its verdicts. */
async function verdicts(answers: VerifyResult[], fusionFrames?: number): Promise<FaceVerdict[]> {
  const out: FaceVerdict[] = [];
  let i = 0;
  let stop: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    const camera = { nextFrame: async () => ({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) }) } as unknown as Camera;
    const engine = { verify: async () => answers[i++]! } as unknown as FaceEngine;
    stop = runFaceLoop({ camera, engine, onError: (e) => { throw e; }, ...(fusionFrames ? { fusionFrames } : {}) }, reference, (v) => {
      out.push(v);
      if (out.length === answers.length) { stop(); resolve(); }
    });
  });
  await done;
  return out;
}

test('the loop reports the score of the best frames pooled, so one lucky frame does not decide alone', async () => {
  assert.is(FUSION_FRAMES, 3);
  // Three sharp frames of someone else (cos 0.3), then one blurred frame that happens to score 0.6.
  const v = await verdicts([frameResult(at(Math.acos(0.3)), 400), frameResult(at(Math.acos(0.3)), 400), frameResult(at(Math.acos(0.3)), 400), frameResult(at(Math.acos(0.6)), 20)]);
  assert.equal(v.map((x) => x.decision), ['no_match', 'no_match', 'no_match', 'no_match']);
  assert.ok(Math.abs(v[3]!.score! - 0.3) < 0.05, `pooled score ${v[3]!.score}`);
  // Without pooling the blurred frame alone would have matched.
  const single = await verdicts([frameResult(at(Math.acos(0.3)), 400), frameResult(at(Math.acos(0.6)), 20)], 1);
  assert.equal(single.map((x) => x.decision), ['no_match', 'match']);
});

test('spoof, no-face and poor-quality frames keep their own verdict and never enter the pool', async () => {
  const v = await verdicts([
    frameResult(at(0.1), 400, 'spoof'),
    { ...frameResult(at(0.1), 400, 'poor_quality') },
    frameResult(at(Math.acos(0.7)), 400),
  ]);
  assert.equal(v.map((x) => x.decision), ['spoof', 'poor_quality', 'match']);
  assert.ok(Math.abs(v[2]!.score! - 0.7) < 1e-5, 'the pool holds only the usable frame');
});

test.run();
