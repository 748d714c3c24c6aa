import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { ALIGNED_SIZE } from '../../kiosk/biometrics/align.ts';
import { eyeOpenness, fivePoints, plausibleFace, type Point } from '../../kiosk/biometrics/landmarks.ts';
import { blocking, headPose, PITCH_GAIN, qualityIssues, sharpnessExposure, YAW_GAIN } from '../../kiosk/biometrics/quality.ts';
import type { FaceQuality } from '../../kiosk/biometrics/types.ts';

/** A synthetic frontal 68-point face (only the points the engine reads are placed). */
function face(opts: { eyeHeight?: number; noseDx?: number; noseT?: number; rollDeg?: number } = {}): Point[] {
  const h = opts.eyeHeight ?? 5;
  const p: Point[] = Array.from({ length: 68 }, () => [0, 0] as Point);
  const set = (i: number, x: number, y: number): void => void (p[i] = [x, y]);
  [[-45, 0], [-35, -h], [-25, -h], [-15, 0], [-25, h], [-35, h]].forEach(([x, y], k) => set(36 + k, x!, y!));
  [[15, 0], [25, -h], [35, -h], [45, 0], [35, h], [25, h]].forEach(([x, y], k) => set(42 + k, x!, y!));
  set(30, opts.noseDx ?? 0, 60 * (opts.noseT ?? 0.6));
  set(48, -25, 60); set(60, -22, 60); set(54, 25, 60); set(64, 22, 60);
  set(1, -70, 20); set(15, 70, 20);
  const r = ((opts.rollDeg ?? 0) * Math.PI) / 180;
  return p.map(([x, y]) => [300 + x * Math.cos(r) - y * Math.sin(r), 200 + x * Math.sin(r) + y * Math.cos(r)] as Point);
}

const near = (a: number, b: number, eps: number, what: string): void => assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b}`);

test('head pose of a frontal face is zero; roll follows the eye line', () => {
  const f = headPose(face());
  near(f.yaw, 0, 1e-9, 'yaw'); near(f.pitch, 0, 1e-9, 'pitch'); near(f.roll, 0, 1e-9, 'roll');
  for (const deg of [-30, -10, 12, 40]) {
    const p = headPose(face({ rollDeg: deg }));
    near(p.roll, deg, 1e-6, 'roll');
    // Yaw and pitch are measured along the face axes, so rolling the head changes neither.
    near(p.yaw, 0, 1e-6, 'yaw under roll'); near(p.pitch, 0, 1e-6, 'pitch under roll');
  }
});

test('yaw grows with the nose offset between the cheeks, pitch with its height between eyes and mouth', () => {
  // Cheeks are 140 apart: a nose 35 right of centre is off by 70/140 → asin(0.5) = 30° before the gain.
  near(headPose(face({ noseDx: 35 })).yaw, 30 * YAW_GAIN, 1e-6, 'yaw right');
  near(headPose(face({ noseDx: -35, rollDeg: 20 })).yaw, -30 * YAW_GAIN, 1e-6, 'yaw left, rolled');
  // Nose at 0.3 of the way from eyes to mouth instead of 0.6: asin(0.5) = 30° before the gain.
  near(headPose(face({ noseT: 0.3 })).pitch, 30 * PITCH_GAIN, 1e-6, 'nose high → chin up');
  assert.ok(headPose(face({ noseT: 0.9 })).pitch < -10, 'nose low → chin down');
});

test('eye openness separates open from closed eyes', () => {
  assert.ok(eyeOpenness(face({ eyeHeight: 9 })) > 0.25);
  assert.ok(eyeOpenness(face({ eyeHeight: 1 })) < 0.12);
});

test('five points and the landmark veto', () => {
  const p5 = fivePoints(face());
  near(p5[0]![0], 270, 1e-9, 'left eye x'); near(p5[2]![1], 236, 1e-9, 'nose y');
  assert.ok(plausibleFace(p5, [220, 160, 380, 290]));
  // A box three times wider than the eye spacing allows, or a face upside down, is vetoed.
  assert.not.ok(plausibleFace(p5, [0, 0, 600, 400]));
  assert.not.ok(plausibleFace(fivePoints(face({ rollDeg: 180 })), [220, 110, 380, 240]));
});

function tensor(fn: (x: number, y: number) => number): Float32Array {
  const n = ALIGNED_SIZE;
  const t = new Float32Array(3 * n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let c = 0; c < 3; c++) t[c * n * n + y * n + x] = (fn(x, y) - 127) / 128;
  return t;
}

test('sharpness: flat 0, checkerboard high, blurred checkerboard in between; exposure is the mean grey', () => {
  const flat = sharpnessExposure(tensor(() => 60));
  near(flat.sharpness, 0, 1e-6, 'flat sharpness');
  near(flat.exposure, 60, 1e-3, 'exposure');
  const sharp = sharpnessExposure(tensor((x, y) => ((x >> 1) + (y >> 1)) % 2 ? 200 : 50)).sharpness;
  const soft = sharpnessExposure(tensor((x, y) => 125 + 75 * Math.sin(x / 3) * Math.sin(y / 3))).sharpness;
  assert.ok(sharp > soft && soft > 0, `${sharp} > ${soft} > 0`);
});

const limits = faceSection.parse({}).quality;
const good: FaceQuality = { box: [0, 0, 200, 250], detectionScore: 0.99, interEyePx: 80, yaw: 5, pitch: -3, roll: 2, sharpness: 500, exposure: 120, faceCount: 1 };

test('quality issues: each limit raises its own issue; several_faces is reported but not blocking', () => {
  assert.equal(qualityIssues(good, 0, 0.3, limits), []);
  const cases: [Partial<FaceQuality>, number, number, string][] = [
    [{ interEyePx: 20 }, 0, 0.3, 'too_small'],
    [{ yaw: 45 }, 0, 0.3, 'pose'],
    [{ roll: -40 }, 0, 0.3, 'pose'],
    [{ exposure: 20 }, 0, 0.3, 'too_dark'],
    [{ exposure: 240 }, 0, 0.3, 'too_bright'],
    [{ detectionScore: 0.5 }, 0, 0.3, 'low_score'],
    [{}, 0, 0.05, 'eyes_closed'],
    [{ faceCount: 2 }, 1, 0.3, 'several_faces'],
  ];
  for (const [change, others, eye, issue] of cases) assert.equal(qualityIssues({ ...good, ...change }, others, eye, limits), [issue], issue);
  assert.ok(qualityIssues(good, 0, 0.3, { ...limits, minSharpness: 1000 }).includes('blur'));
  assert.not.ok(blocking(['several_faces']));
  assert.ok(blocking(['several_faces', 'pose']));
});

test.run();
