import type { RgbImage } from './decode.ts';
import type { Box } from './detect.ts';
import { rectMap, warpToTensor } from './resample.ts';

export type Point = [number, number];

export const LANDMARK_SIZE = 64;

/**
 * The box scaled by `scale` about its centre, shifted (not shrunk) to stay inside the image,
 * as the models' reference code crops (landmarks: ×1, liveness: ×2.7); the scale is reduced
 * only when the image is smaller than the scaled box.
 */
export function cropRect(box: Box, scale: number, width: number, height: number): Box {
  const bw = box[2] - box[0];
  const bh = box[3] - box[1];
  const s = Math.min((height - 1) / bh, (width - 1) / bw, scale);
  const w = bw * s;
  const h = bh * s;
  let x1 = (box[0] + box[2]) / 2 - w / 2;
  let y1 = (box[1] + box[3]) / 2 - h / 2;
  x1 = Math.min(Math.max(0, x1), width - w);
  y1 = Math.min(Math.max(0, y1), height - h);
  return [x1, y1, x1 + w, y1 + h];
}

/** Grey 64×64 crop of the box, v / 256, input of the 68-point network. */
export function landmarkTensor(img: RgbImage, box: Box): { tensor: Float32Array; rect: Box } {
  const rect = cropRect(box, 1, img.width, img.height);
  const tensor = warpToTensor(img, rectMap(rect, LANDMARK_SIZE, LANDMARK_SIZE), LANDMARK_SIZE, LANDMARK_SIZE, { order: 'grey', bias: 0, scale: 1 / 256 }, { fill: [0, 0, 0], maxTaps: 4 });
  return { tensor, rect };
}

/** Network output (136 values relative to the crop) → 68 points in source pixels. */
export function decodeLandmarks(out: Float32Array, rect: Box): Point[] {
  const w = rect[2] - rect[0];
  const h = rect[3] - rect[1];
  const pts: Point[] = [];
  for (let i = 0; i < 68; i++) pts.push([rect[0] + out[i * 2]! * w, rect[1] + out[i * 2 + 1]! * h]);
  return pts;
}

function mean(pts: readonly Point[], idx: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += pts[i]![0];
    y += pts[i]![1];
  }
  return [x / idx.length, y / idx.length];
}

/** The ArcFace five points from the 68: eye centres, nose tip, mouth corners (image-left first). */
export function fivePoints(p68: readonly Point[]): Point[] {
  return [mean(p68, [37, 38, 40, 41]), mean(p68, [43, 44, 46, 47]), mean(p68, [30]), mean(p68, [48, 60]), mean(p68, [54, 64])];
}

/**
 * Veto only: a box whose landmark fit is clearly not a face (eyes not level-ish above the
 * mouth, eyes too close together for the box, points far outside it). Letting the fit
 * rank faces picks bystanders, so it never does more than veto.
 */
export function plausibleFace(p5: readonly Point[], box: Box): boolean {
  const [le, re, nose, lm, rm] = p5 as [Point, Point, Point, Point, Point];
  const bw = box[2] - box[0];
  const bh = box[3] - box[1];
  const eyeDist = Math.hypot(re[0] - le[0], re[1] - le[1]);
  if (eyeDist < 0.15 * bw) return false;
  if (re[0] <= le[0] || rm[0] <= lm[0]) return false;
  const eyeY = (le[1] + re[1]) / 2;
  const mouthY = (lm[1] + rm[1]) / 2;
  if (mouthY - eyeY < 0.15 * bh || nose[1] < eyeY - 0.05 * bh || nose[1] > mouthY + 0.05 * bh) return false;
  const mx = 0.25 * bw;
  const my = 0.25 * bh;
  return p5.every(([x, y]) => x > box[0] - mx && x < box[2] + mx && y > box[1] - my && y < box[3] + my);
}

/** Eye aspect ratio (mean of both eyes): about 0.25–0.35 open, under ~0.15 closed. */
export function eyeOpenness(p68: readonly Point[]): number {
  const d = (i: number, j: number): number => Math.hypot(p68[i]![0] - p68[j]![0], p68[i]![1] - p68[j]![1]);
  const ear = (a: number): number => (d(a + 1, a + 5) + d(a + 2, a + 4)) / (2 * Math.max(1e-6, d(a, a + 3)));
  return (ear(36) + ear(42)) / 2;
}
