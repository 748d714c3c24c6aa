import type { RgbImage } from '../biometrics/decode.ts';
import { headPose } from '../biometrics/quality.ts';
import { entropy, histogram, labAB, luminance, polygonPixels, rectPixels, type Point } from './regions.ts';

/** What the face engine found, in the pixels of the measured image. */
export interface FaceFacts {
  landmarks: Point[];
  /** Clear faces besides this one (a second person, not a far bystander). */
  otherFaces: number;
  /** Variance of the Laplacian of the aligned 112×112 face (face engine). */
  sharpness: number;
}

/** Raw values of every measure (units in each comment). */
export interface RawMeasures {
  /** Clear faces in the photo. */
  faces: number;
  /** Inter-eye distance in pixels of the photo as delivered (before any shrinking here). */
  interEyePx: number;
  /** Degrees (landmark estimates, see biometrics/quality.ts). */
  yaw: number;
  pitch: number;
  roll: number;
  /** Smaller eyelid opening / eye–chin distance. */
  eyesOpen: number;
  /** Inner-lip opening / eye–chin distance. */
  mouthOpen: number;
  /** Eye midpoint's horizontal offset from the photo's middle, fraction of the width (+ = right). */
  centreOffset: number;
  /** Margins: eye centre to left/right edge over inter-eye distance; eye line to top/bottom over eye–chin distance. */
  crop: { left: number; right: number; above: number; below: number };
  /** Estimated chin-to-crown height (2 × eye–chin) / photo height. */
  headSize: number;
  /** Mean squared luminance gradient (grey levels²) on the background; NaN when no background is visible. */
  backgroundGradient: number;
  /** Mean background luminance 0..1; NaN when no background is visible. */
  backgroundLuminance: number;
  /** Mean face luminance 0..1. */
  faceLuminance: number;
  /** Entropy in bits of the face luminance histogram. */
  faceEntropy: number;
  sharpness: number;
  /** Intersection 0..1 of the left and right cheek luminance histograms (1 = evenly lit). */
  illuminationUniformity: number;
  /** Distance of the mean cheek a*, b* from the natural-skin box [5, 25] × [5, 35] (OFIQ NaturalColour raw). */
  colourDistance: number;
}

const mean = (pts: readonly Point[], from: number, to: number): Point => {
  let x = 0, y = 0;
  for (let i = from; i <= to; i++) { x += pts[i]![0]; y += pts[i]![1]; }
  return [x / (to - from + 1), y / (to - from + 1)];
};
const dist = (p: Point, q: Point): number => Math.hypot(p[0] - q[0], p[1] - q[1]);

/**
 * Every raw measure of one portrait. `img` is the photo normalised so that the inter-eye
 * distance is at most about 64 px (gradients and histograms then mean the same on any scan
 * resolution, as OFIQ measures on its aligned image); `scanScale` is photo pixels per pixel of
 * `img`. Landmarks are in `img`'s pixels, iBUG 68-point order.
 */
export function measurePortrait(img: RgbImage, face: FaceFacts, scanScale: number): RawMeasures {
  const p = face.landmarks;
  const { width: W, height: H } = img;
  const le = mean(p, 36, 41);
  const re = mean(p, 42, 47);
  const eyeMid: Point = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const ied = Math.max(1e-6, dist(le, re));
  const chin = p[8]!;
  const t = Math.max(1e-6, dist(eyeMid, chin));
  const pose = headPose(p);

  const opening = (pairs: [number, number][]): number => Math.max(...pairs.map(([a, b]) => dist(p[a]!, p[b]!)));
  const eyesOpen = Math.min(opening([[37, 41], [38, 40]]), opening([[43, 47], [44, 46]])) / t;
  const mouthOpen = opening([[61, 67], [62, 66], [63, 65]]) / t;

  const lum = luminance(img);
  // The face: jaw line, then the eyebrows back (OFIQ's landmarked face region, on 68 points).
  const facePoly: Point[] = [...p.slice(0, 17), ...p.slice(17, 27).reverse()];
  const facePx = polygonPixels(facePoly, W, H);
  let sum = 0;
  for (let k = 0; k < facePx.length; k++) sum += lum[facePx[k]!]!;
  const faceLuminance = facePx.length ? sum / facePx.length / 255 : NaN;
  const faceEntropy = entropy(histogram(lum, facePx));

  // Cheeks: under each eye, from the outer face to the nose, between eye line and mouth line.
  const mouthY = (p[48]![1] + p[54]![1]) / 2;
  const em = Math.max(1, mouthY - eyeMid[1]);
  const y0 = eyeMid[1] + 0.25 * em;
  const y1 = eyeMid[1] + 0.8 * em;
  const leftCheek = rectPixels(le[0] - 0.45 * ied, y0, le[0] + 0.3 * ied, y1, W, H);
  const rightCheek = rectPixels(re[0] - 0.3 * ied, y0, re[0] + 0.45 * ied, y1, W, H);
  const hl = histogram(lum, leftCheek);
  const hr = histogram(lum, rightCheek);
  let illuminationUniformity = 0;
  for (let k = 0; k < 256; k++) illuminationUniformity += Math.min(hl[k]!, hr[k]!);

  let sa = 0, sb = 0;
  for (const cheek of [leftCheek, rightCheek]) {
    for (let k = 0; k < cheek.length; k++) {
      const i = cheek[k]! * 3;
      const ab = labAB(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!);
      sa += ab[0];
      sb += ab[1];
    }
  }
  const nCheeks = Math.max(1, leftCheek.length + rightCheek.length);
  const ma = sa / nCheeks;
  const mb = sb / nCheeks;
  const colourDistance = ma >= 0 && mb >= 0 ? Math.hypot(Math.max(0, 5 - ma, ma - 25), Math.max(0, 5 - mb, mb - 35)) : 100;

  const bg = backgroundStats(lum, W, H, p, eyeMid, t, chin);
  return {
    faces: 1 + face.otherFaces,
    interEyePx: ied * scanScale,
    ...pose,
    eyesOpen,
    mouthOpen,
    centreOffset: eyeMid[0] / W - 0.5,
    crop: { left: le[0] / ied, right: (W - re[0]) / ied, above: eyeMid[1] / t, below: (H - eyeMid[1]) / t },
    headSize: (2 * t) / H,
    backgroundGradient: bg.gradient,
    backgroundLuminance: bg.luminance,
    faceLuminance,
    faceEntropy,
    sharpness: face.sharpness,
    illuminationUniformity,
    colourDistance,
  };
}

/**
 * The background is what lies above the chin and outside an ellipse around the head (face
 * contour widened by a third for hair, crown 1.25 t above the eyes). Without a segmentation
 * network this is an estimate: long hair or a hat reaching past the ellipse counts as background.
 */
function backgroundStats(lum: Float32Array, W: number, H: number, p: Point[], eyeMid: Point, t: number, chin: Point): { gradient: number; luminance: number } {
  const cx = (p[0]![0] + p[16]![0]) / 2;
  const rx = Math.max(1, ((p[16]![0] - p[0]![0]) / 2) * 1.35);
  const top = eyeMid[1] - 1.25 * t;
  const bottom = chin[1] + 0.1 * t;
  const cy = (top + bottom) / 2;
  const ry = Math.max(1, (bottom - top) / 2);
  const isBg = (x: number, y: number): boolean => y < chin[1] && ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 > 1;
  let g2 = 0, n = 0, l = 0;
  const yEnd = Math.min(H - 1, Math.floor(chin[1]));
  for (let y = 1; y < yEnd; y++) {
    for (let x = 1; x < W - 1; x++) {
      if (!isBg(x, y)) continue;
      const i = y * W + x;
      const gx = (lum[i + 1]! - lum[i - 1]!) / 2;
      const gy = (lum[i + W]! - lum[i - W]!) / 2;
      g2 += gx * gx + gy * gy;
      l += lum[i]!;
      n++;
    }
  }
  return n === 0 ? { gradient: NaN, luminance: NaN } : { gradient: g2 / n, luminance: l / n / 255 };
}
