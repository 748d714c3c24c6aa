import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { frameWeight, fuseTemplates, PresentationFusion } from '../../kiosk/biometrics/fusion.ts';
import type { FaceQuality } from '../../kiosk/biometrics/index.ts';

const q = (over: Partial<FaceQuality> = {}): FaceQuality => ({ box: [0, 0, 100, 100], detectionScore: 0.99, interEyePx: 80, yaw: 0, pitch: 0, roll: 0, sharpness: 400, exposure: 120, faceCount: 1, ...over });
/** A unit template pointing along axis `i` (plus a little of axis `j`). */
function unit(i: number, j = i, mix = 0): Float32Array {
  const t = new Float32Array(512);
  t[i] = 1;
  t[j] = t[j]! + mix;
  const n = Math.hypot(...t);
  return t.map((v) => v / n);
}

test('frame weight falls with blur, small faces, pose and a weak detection', () => {
  const good = frameWeight(q());
  assert.is(good, 0.99);
  assert.ok(frameWeight(q({ sharpness: 30 })) < good);
  assert.ok(frameWeight(q({ interEyePx: 30 })) < good);
  assert.ok(frameWeight(q({ yaw: 30 })) < good);
  assert.ok(frameWeight(q({ pitch: -25 })) < good);
  assert.ok(frameWeight(q({ detectionScore: 0.5 })) < good);
  assert.is(frameWeight(q({ yaw: 95 })), 0);
});

test('fused template is the weighted mean, L2-normalised', () => {
  const t = fuseTemplates([{ template: unit(0), weight: 3 }, { template: unit(1), weight: 1 }]);
  assert.ok(Math.abs(Math.hypot(...t) - 1) < 1e-6);
  assert.ok(Math.abs(t[0]! / t[1]! - 3) < 1e-5);
});

test('the presentation keeps the best K frames by quality; a blurred frame never displaces a sharp one', () => {
  const f = new PresentationFusion(2);
  f.add({ template: unit(0), quality: q(), liveness: 0.9 });
  f.add({ template: unit(1), quality: q({ sharpness: 20 }), liveness: 0.1 });
  f.add({ template: unit(0, 2, 0.2), quality: q({ sharpness: 300 }), liveness: 0.8 });
  assert.is(f.size, 2);
  const v = f.against(unit(0))!;
  assert.is(v.frames, 2);
  // Both kept frames point along axis 0; the blurred axis-1 frame is gone.
  assert.ok(v.score > 0.99, `score ${v.score}`);
  assert.ok(Math.abs(v.liveness! - 0.85) < 1e-6, `liveness ${v.liveness}`);
});

test('no frames: no fused view; a frame without liveness makes the fused liveness unknown (fails closed)', () => {
  const f = new PresentationFusion(3);
  assert.is(f.against(unit(0)), null);
  assert.is(f.fusedTemplate(), null);
  f.add({ template: unit(0), quality: q(), liveness: 0.9 });
  f.add({ template: unit(0), quality: q(), liveness: null });
  assert.is(f.against(unit(0))!.liveness, null);
});

test.run();
