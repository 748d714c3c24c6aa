import type { RgbImage } from './decode.ts';
import type { Box } from './detect.ts';
import { cropRect } from './landmarks.ts';
import { rectMap, warpToTensor } from './resample.ts';

export const LIVENESS_SIZE = 128;
/** Context around the face the presentation-attack net was trained with. */
export const LIVENESS_SCALE = 2.7;

/**
 * The face with its surroundings (box ×2.7, shifted inside the image), 128×128, raw 0..255
 * in BGR order: the net separates live from printed/replayed samples only in BGR. One
 * bilinear tap per pixel, like the resize the net was trained with (it may rely on fine
 * texture such as moiré, which area averaging would wash out).
 */
export function livenessTensor(img: RgbImage, box: Box): Float32Array {
  const rect = cropRect(box, LIVENESS_SCALE, img.width, img.height);
  return warpToTensor(img, rectMap(rect, LIVENESS_SIZE, LIVENESS_SIZE), LIVENESS_SIZE, LIVENESS_SIZE, { order: 'bgr', bias: 0, scale: 1 }, { fill: [0, 0, 0], maxTaps: 1 });
}

/** Probability that the face is live: softmax of the three logits, index 0. */
export function liveProbability(logits: Float32Array): number {
  const m = Math.max(logits[0]!, logits[1]!, logits[2]!);
  const e0 = Math.exp(logits[0]! - m);
  return e0 / (e0 + Math.exp(logits[1]! - m) + Math.exp(logits[2]! - m));
}
