import type { RgbImage } from './decode.ts';
import { meanColour, warpToTensor, type Affine } from './resample.ts';

export const DETECT_W = 320;
export const DETECT_H = 240;
/** Border added on each side before detection, as a fraction of width and height. */
export const DETECT_PAD = 0.25;
/** Boxes below this score are dropped before NMS. */
export const CANDIDATE_SCORE = 0.5;
export const NMS_IOU = 0.3;
export const MAX_FACES = 16;

export type Box = [number, number, number, number];

export interface Detection {
  /** x1, y1, x2, y2 in source pixels. */
  box: Box;
  score: number;
}

/** Where the 320×240 detector input sits on the source image. */
export interface DetectCanvas {
  tensor: Float32Array;
  map: Affine;
}

/**
 * The detector squeezes its input to 320×240, so tight ID-style crops lose the face. The
 * image is centred on a mean-colour canvas with a 25 % border each side, widened to 4:3
 * so the face keeps its aspect ratio; input RGB, (v − 127) / 128.
 */
export function detectCanvas(img: RgbImage): DetectCanvas {
  let cw = img.width * (1 + 2 * DETECT_PAD);
  let ch = img.height * (1 + 2 * DETECT_PAD);
  if (cw / ch < DETECT_W / DETECT_H) cw = (ch * DETECT_W) / DETECT_H;
  else ch = (cw * DETECT_H) / DETECT_W;
  const s = cw / DETECT_W;
  const map: Affine = { a: s, b: 0, c: -(cw - img.width) / 2, d: 0, e: s, f: -(ch - img.height) / 2 };
  const tensor = warpToTensor(img, map, DETECT_W, DETECT_H, { order: 'rgb', bias: 127, scale: 1 / 128 }, { fill: meanColour(img), maxTaps: 3 });
  return { tensor, map };
}

/** Decoded detector output → scored boxes in source pixels, clipped to the image, after NMS. */
export function decodeDetections(scores: Float32Array, boxes: Float32Array, canvas: DetectCanvas, img: RgbImage): Detection[] {
  const n = scores.length / 2;
  const cand: Detection[] = [];
  const { a, c, e, f } = canvas.map;
  for (let i = 0; i < n; i++) {
    const s = scores[i * 2 + 1]!;
    if (s < CANDIDATE_SCORE) continue;
    const x1 = boxes[i * 4]! * DETECT_W * a + c;
    const y1 = boxes[i * 4 + 1]! * DETECT_H * e + f;
    const x2 = boxes[i * 4 + 2]! * DETECT_W * a + c;
    const y2 = boxes[i * 4 + 3]! * DETECT_H * e + f;
    const box: Box = [Math.max(0, x1), Math.max(0, y1), Math.min(img.width, x2), Math.min(img.height, y2)];
    if (box[2] - box[0] < 4 || box[3] - box[1] < 4) continue;
    cand.push({ box, score: s });
  }
  return nms(cand, NMS_IOU).slice(0, MAX_FACES);
}

export function iou(p: Box, q: Box): number {
  const w = Math.min(p[2], q[2]) - Math.max(p[0], q[0]);
  const h = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter);
}

/** Greedy non-maximum suppression: best score first, drops boxes overlapping a kept one above `threshold` IoU. */
export function nms(dets: readonly Detection[], threshold: number): Detection[] {
  const sorted = [...dets].sort((p, q) => q.score - p.score);
  const kept: Detection[] = [];
  for (const d of sorted) if (kept.every((k) => iou(k.box, d.box) <= threshold)) kept.push(d);
  return kept;
}

/**
 * Orders faces by how likely each is the traveller: detection score first, then size and
 * closeness to the image centre. Size alone picks blurred background false positives
 * (deepface img41.jpg); score alone picks small sharp bystanders.
 */
export function rankFaces(dets: readonly Detection[], width: number, height: number): Detection[] {
  if (dets.length < 2) return [...dets];
  const maxSide = Math.max(...dets.map((d) => Math.sqrt((d.box[2] - d.box[0]) * (d.box[3] - d.box[1]))));
  const diag = Math.hypot(width, height) / 2;
  const rank = (d: Detection): number => {
    const side = Math.sqrt((d.box[2] - d.box[0]) * (d.box[3] - d.box[1]));
    const dc = Math.hypot((d.box[0] + d.box[2]) / 2 - width / 2, (d.box[1] + d.box[3]) / 2 - height / 2) / diag;
    return d.score + 0.25 * (side / maxSide) - 0.15 * dc;
  };
  return [...dets].sort((p, q) => rank(q) - rank(p));
}
