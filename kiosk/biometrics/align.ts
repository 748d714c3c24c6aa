import type { RgbImage } from './decode.ts';
import type { Point } from './landmarks.ts';
import { warpToTensor, type Affine } from './resample.ts';

export const ALIGNED_SIZE = 112;

/** ArcFace 112×112 five-point template (insightface), in pixel-index coordinates. */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** A 2-D similarity dst = [a −b; b a]·src + [tx; ty]: uniform scale, rotation, translation. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Least-squares similarity from `src` onto `dst` (Umeyama 1991, restricted to 2-D without
 * reflection, where it has this closed form via complex numbers).
 */
export function umeyama(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  if (n < 2 || n !== dst.length) throw new RangeError('umeyama needs two or more matching points');
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0]; sy += src[i]![1]; dx += dst[i]![0]; dy += dst[i]![1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx, py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx, qy = dst[i]![1] - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (den === 0) throw new RangeError('umeyama: source points coincide');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return [t.a * p[0] - t.b * p[1] + t.tx, t.b * p[0] + t.a * p[1] + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const k = t.a * t.a + t.b * t.b;
  const a = t.a / k;
  const b = -t.b / k;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** Similarity as an output→source Affine for warpToTensor. */
export function similarityAffine(t: Similarity): Affine {
  return { a: t.a, b: -t.b, c: t.tx, d: t.b, e: t.a, f: t.ty };
}

/**
 * The face aligned onto the ArcFace template: 112×112 RGB, (v − 127) / 128, with area
 * averaging (up to 3×3 bilinear taps) when the face is larger than 112 pixels. Black outside the image.
 */
export function alignFace(img: RgbImage, p5: readonly Point[]): Float32Array {
  // Landmarks are continuous coordinates; the template is in pixel indices (+0.5 → continuous).
  const toTemplate = umeyama(p5, ARCFACE_TEMPLATE.map(([x, y]) => [x + 0.5, y + 0.5] as Point));
  const m = similarityAffine(invertSimilarity(toTemplate));
  return warpToTensor(img, m, ALIGNED_SIZE, ALIGNED_SIZE, { order: 'rgb', bias: 127, scale: 1 / 128 }, { fill: [0, 0, 0], maxTaps: 3, smooth: true });
}
