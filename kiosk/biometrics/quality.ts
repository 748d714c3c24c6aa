import type { FaceConfig } from '../../config/sections/face.ts';
import { ALIGNED_SIZE } from './align.ts';
import type { Point } from './landmarks.ts';
import type { FaceQuality, QualityIssue } from './types.ts';

export type QualityThresholds = FaceConfig['quality'];

const DEG = 180 / Math.PI;
/**
 * Gains that bring the landmark geometry to degrees on the scale of the fr_pose network
 * (least-squares fit over the 61 deepface photos: yaw r = 0.93, pitch r = 0.78, roll r = 0.89).
 * The cheek contour exaggerates yaw and the nose-height ratio exaggerates pitch about 2×.
 */
export const YAW_GAIN = 0.59;
export const PITCH_GAIN = 0.49;

/**
 * Head pose from the 68 points, in degrees (landmark geometry, no extra network).
 * roll: tilt of the eye line (positive = clockwise in the image). yaw: where the nose tip sits
 * between the two cheek contours (±90 at profile). pitch: where the nose tip sits between the
 * eye line and the mouth line, relative to a frontal face (positive = chin up). Yaw positive
 * = nose towards the image's right.
 */
export function headPose(p68: readonly Point[]): { yaw: number; pitch: number; roll: number } {
  const pt = (i: number): Point => p68[i]!;
  const eye = (a: number): Point => {
    let x = 0, y = 0;
    for (let i = a; i < a + 6; i++) { x += pt(i)[0]; y += pt(i)[1]; }
    return [x / 6, y / 6];
  };
  const le = eye(36);
  const re = eye(42);
  const rollRad = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const cos = Math.cos(-rollRad);
  const sin = Math.sin(-rollRad);
  // Undo roll about the eye midpoint so yaw and pitch are measured along the face axes.
  const cx = (le[0] + re[0]) / 2;
  const cy = (le[1] + re[1]) / 2;
  const r = (p: Point): Point => [cx + (p[0] - cx) * cos - (p[1] - cy) * sin, cy + (p[0] - cx) * sin + (p[1] - cy) * cos];
  const nose = r(pt(30));
  const left = r(pt(1));
  const right = r(pt(15));
  const mouth = r([(pt(48)[0] + pt(54)[0]) / 2, (pt(48)[1] + pt(54)[1]) / 2]);
  const width = Math.max(1e-6, right[0] - left[0]);
  const off = ((nose[0] - left[0]) - (right[0] - nose[0])) / width;
  const yaw = Math.asin(Math.max(-1, Math.min(1, off))) * DEG * YAW_GAIN;
  const t = (nose[1] - cy) / Math.max(1e-6, mouth[1] - cy);
  // A frontal face has the nose tip at about 0.6 of the way from eye line to mouth line;
  // asin maps the deviation to an angle on the same scale as yaw.
  const pitch = -Math.asin(Math.max(-1, Math.min(1, (t - 0.6) / 0.6))) * DEG * PITCH_GAIN;
  return { yaw, pitch, roll: rollRad * DEG };
}

/** Sharpness (variance of the 4-neighbour Laplacian) and exposure (mean grey) of the aligned face. */
export function sharpnessExposure(aligned: Float32Array): { sharpness: number; exposure: number } {
  const n = ALIGNED_SIZE;
  const plane = n * n;
  const grey = new Float32Array(plane);
  let sum = 0;
  for (let i = 0; i < plane; i++) {
    // Back from (v − 127) / 128 to 0..255.
    const v = 0.299 * (aligned[i]! * 128 + 127) + 0.587 * (aligned[plane + i]! * 128 + 127) + 0.114 * (aligned[2 * plane + i]! * 128 + 127);
    grey[i] = v;
    sum += v;
  }
  // Only the inner face (template eyes to mouth) counts: the black warp border would read as edges.
  let s = 0, s2 = 0, k = 0;
  for (let y = 36; y < 100; y++) {
    for (let x = 24; x < 88; x++) {
      const i = y * n + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - n]! + grey[i + n]! - 4 * grey[i]!;
      s += l;
      s2 += l * l;
      k++;
    }
  }
  const meanL = s / k;
  return { sharpness: s2 / k - meanL * meanL, exposure: sum / plane };
}

/** Quality issues of a face against the configured limits; `several_faces` is reported, never fatal. */
export function qualityIssues(q: FaceQuality, otherFaces: number, eyeOpen: number, limits: QualityThresholds): QualityIssue[] {
  const issues: QualityIssue[] = [];
  if (otherFaces > 0) issues.push('several_faces');
  if (q.interEyePx < limits.minInterEyePx) issues.push('too_small');
  if (Math.abs(q.yaw) > limits.maxYawDeg || Math.abs(q.pitch) > limits.maxPitchDeg || Math.abs(q.roll) > limits.maxRollDeg) issues.push('pose');
  if (q.sharpness < limits.minSharpness) issues.push('blur');
  if (q.exposure < limits.minExposure) issues.push('too_dark');
  if (q.exposure > limits.maxExposure) issues.push('too_bright');
  if (eyeOpen < limits.minEyeOpenness) issues.push('eyes_closed');
  if (q.detectionScore < limits.minDetectionScore) issues.push('low_score');
  return issues;
}

/** Issues that make a face unusable (everything except `several_faces`). */
export function blocking(issues: readonly QualityIssue[]): boolean {
  return issues.some((i) => i !== 'several_faces');
}
