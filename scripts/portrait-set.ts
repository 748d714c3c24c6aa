/**
 * The labelled portrait set (issue 15 §1): compliant originals built from real photos, and
 * programmatically broken variants, each labelled with the rules it must fail. Made in
 * memory at bench or test time; nothing here is written to the repository.
 *
 * A "compliant original" is a real photo reframed to ICAO 9303 geometry (eyes level, chin-to-
 * crown 75.5 % of the height, 35:45) with everything outside a head-and-shoulders mask replaced
 * by a plain light background. The background rules are therefore tested on synthetic
 * backgrounds, and the hair edge is the mask's, not a photographer's.
 */
import { prng } from '../core/prng.ts';
import sharp from 'sharp';
import type { PortraitRuleId } from '../config/sections/portrait.ts';
import { decodeImage, type RgbImage } from '../kiosk/biometrics/decode.ts';
import type { FaceEngine } from '../kiosk/biometrics/index.ts';

type Point = [number, number];

export const VARIANTS = [
  'compliant', 'tilted', 'dark', 'bright', 'flat', 'blurred', 'busy-background', 'dark-background',
  'off-centre', 'cropped', 'small-head', 'two-faces', 'shadow', 'colour-cast', 'low-resolution',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** What each variant must fail, and what it may fail as a side effect (not counted either way). */
export const VARIANT_LABELS: Record<Variant, { fail: PortraitRuleId[]; dontCare: PortraitRuleId[] }> = {
  compliant: { fail: [], dontCare: [] },
  tilted: { fail: ['roll'], dontCare: ['margins', 'centred', 'headSize', 'backgroundUniform'] },
  dark: { fail: ['exposure', 'backgroundLight'], dontCare: ['contrast', 'colour', 'shadow', 'sharpness', 'eyesOpen', 'mouthClosed'] },
  bright: { fail: ['exposure'], dontCare: ['contrast', 'colour', 'shadow', 'sharpness', 'eyesOpen', 'mouthClosed', 'backgroundUniform'] },
  flat: { fail: ['contrast'], dontCare: ['exposure', 'backgroundLight', 'colour', 'shadow', 'sharpness', 'eyesOpen', 'mouthClosed'] },
  blurred: { fail: ['sharpness'], dontCare: ['contrast', 'eyesOpen', 'mouthClosed', 'shadow'] },
  'busy-background': { fail: ['backgroundUniform'], dontCare: ['backgroundLight'] },
  'dark-background': { fail: ['backgroundLight'], dontCare: ['backgroundUniform'] },
  'off-centre': { fail: ['centred'], dontCare: ['margins', 'headSize', 'backgroundUniform', 'backgroundLight'] },
  cropped: { fail: ['margins', 'headSize'], dontCare: ['centred', 'backgroundUniform', 'backgroundLight'] },
  'small-head': { fail: ['headSize'], dontCare: ['resolution', 'sharpness'] },
  'two-faces': { fail: ['oneFace'], dontCare: ['backgroundUniform', 'backgroundLight', 'centred', 'margins', 'headSize'] },
  shadow: { fail: ['shadow'], dontCare: ['exposure', 'contrast', 'colour', 'eyesOpen', 'mouthClosed', 'sharpness'] },
  'colour-cast': { fail: ['colour'], dontCare: ['exposure', 'backgroundLight', 'contrast'] },
  'low-resolution': { fail: ['resolution'], dontCare: ['sharpness', 'eyesOpen', 'mouthClosed', 'contrast', 'shadow', 'yaw', 'pitch'] },
};

/** A compliant original in memory: pixels, landmarks and where the person is. */
export interface Base {
  img: RgbImage;
  landmarks: Point[];
  /** 1 = person (head, neck, shoulders), 0 = background, feathered in between. */
  person: Float32Array;
  eye: Point;
  ied: number;
}

const BG: [number, number, number] = [232, 232, 228];
/** ICAO 9303: chin to crown 32–36 mm of a 45 mm photo; the middle of that. */
const HEAD_FRACTION = 0.755;
const EYE_FROM_TOP = 0.437;

const avg = (p: Point[], a: number, b: number): Point => {
  let x = 0, y = 0;
  for (let i = a; i <= b; i++) { x += p[i]![0]; y += p[i]![1]; }
  return [x / (b - a + 1), y / (b - a + 1)];
};

function sample(src: RgbImage, x: number, y: number, out: Uint8Array, o: number): boolean {
  if (x < 0 || y < 0 || x > src.width - 1 || y > src.height - 1) return false;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(src.width - 1, x0 + 1), y1 = Math.min(src.height - 1, y0 + 1);
  const fx = x - x0, fy = y - y0;
  for (let c = 0; c < 3; c++) {
    const a = src.data[(y0 * src.width + x0) * 3 + c]!, b = src.data[(y0 * src.width + x1) * 3 + c]!;
    const d = src.data[(y1 * src.width + x0) * 3 + c]!, e = src.data[(y1 * src.width + x1) * 3 + c]!;
    out[o + c] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
  }
  return true;
}

/**
 * Output (u, v) ← source: rotate by `angle` about `from` and scale by `scale`, landing `from` on `to`.
 * Pixels from outside the source get `fill`.
 */
export function warp(src: RgbImage, width: number, height: number, m: { from: Point; to: Point; scale: number; angle: number }, fill = BG): { img: RgbImage; inside: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  const inside = new Uint8Array(width * height);
  const cos = Math.cos(m.angle), sin = Math.sin(m.angle);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const du = (u - m.to[0]) / m.scale, dv = (v - m.to[1]) / m.scale;
      const x = m.from[0] + du * cos - dv * sin;
      const y = m.from[1] + du * sin + dv * cos;
      const o = (v * width + u) * 3;
      if (sample(src, x, y, data, o)) inside[v * width + u] = 1;
      else data.set(fill, o);
    }
  }
  return { img: { width, height, data }, inside };
}

/** Where the person is (1) in an upright frame, from its 68 landmarks. */
function personMask(p: Point[], width: number, height: number): Float32Array {
  const eye = [(avg(p, 36, 41)[0] + avg(p, 42, 47)[0]) / 2, (avg(p, 36, 41)[1] + avg(p, 42, 47)[1]) / 2] as Point;
  const chin = p[8]!;
  const t = Math.hypot(chin[0] - eye[0], chin[1] - eye[1]);
  const cx = (p[0]![0] + p[16]![0]) / 2;
  const half = (p[16]![0] - p[0]![0]) / 2;
  const rx = half * 1.2, top = eye[1] - 1.15 * t, bottom = chin[1] + 0.1 * t;
  const cy = (top + bottom) / 2, ry = (bottom - top) / 2;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Signed distance-ish in pixels: positive inside the head ellipse or the neck-and-shoulders trapezoid.
      const e = (1 - Math.hypot((x - cx) / rx, (y - cy) / ry)) * Math.min(rx, ry);
      const bodyHalf = half * (0.7 + 1.8 * Math.max(0, (y - chin[1]) / t));
      const b = y > chin[1] - 0.3 * t ? bodyHalf - Math.abs(x - cx) : -1e9;
      out[y * width + x] = Math.min(1, Math.max(0, (Math.max(e, b) + 1.5) / 3));
    }
  }
  return out;
}

/** A compliant original from a real photo; null when no face is found. `maxHeight` caps the size (never enlarged). */
export async function makeBase(photo: Uint8Array, engine: Pick<FaceEngine, 'locateFace'>, maxHeight = 720): Promise<Base | null> {
  const src = await decodeImage(photo);
  const face = await engine.locateFace({ width: src.width, height: src.height, channels: 3, data: src.data });
  if (!face.found) return null;
  const p = face.landmarks as Point[];
  const le = avg(p, 36, 41), re = avg(p, 42, 47);
  const eye: Point = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const t = Math.hypot(p[8]![0] - eye[0], p[8]![1] - eye[1]);
  const natural = (2 * t) / HEAD_FRACTION;
  const height = Math.round(Math.min(natural, maxHeight));
  const width = Math.round((height * 35) / 45);
  const scale = height / natural;
  const angle = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const to: Point = [width / 2, EYE_FROM_TOP * height];
  const { img } = warp(src, width, height, { from: eye, to, scale, angle });
  const cos = Math.cos(-angle), sin = Math.sin(-angle);
  const lm = p.map(([x, y]): Point => [to[0] + ((x - eye[0]) * cos - (y - eye[1]) * sin) * scale, to[1] + ((x - eye[0]) * sin + (y - eye[1]) * cos) * scale]);
  const person = personMask(lm, width, height);
  const noise = prng(width * 7919 + height);
  for (let i = 0; i < width * height; i++) {
    const k = person[i]!;
    for (let c = 0; c < 3; c++) img.data[i * 3 + c] = Math.round(img.data[i * 3 + c]! * k + (BG[c]! + (noise() - 0.5) * 3) * (1 - k));
  }
  const ied = Math.hypot(re[0] - le[0], re[1] - le[1]) * scale;
  return { img, landmarks: lm, person, eye: to, ied };
}

export async function encode(img: RgbImage, quality = 92): Promise<Uint8Array> {
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality }).toBuffer();
  return new Uint8Array(buf);
}

const map = (img: RgbImage, f: (v: number, c: number, i: number) => number): RgbImage => {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < img.data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(f(img.data[i]!, i % 3, (i / 3) | 0))));
  return { width: img.width, height: img.height, data };
};

async function resize(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** One broken (or the compliant) variant of a base. `other` is a different person's base (for two faces). */
export async function makeVariant(base: Base, variant: Variant, other: Base, seed: number): Promise<RgbImage> {
  const { img, person, eye, ied } = base;
  const { width: W, height: H } = img;
  const bgOnly = (f: (i: number, c: number) => number): RgbImage => map(img, (v, c, i) => v * person[i]! + f(i, c) * (1 - person[i]!));
  switch (variant) {
    case 'compliant':
      return img;
    case 'tilted':
      return warp(img, W, H, { from: eye, to: eye, scale: 1, angle: (15 * Math.PI) / 180 }).img;
    case 'dark':
      return map(img, (v) => v * 0.25);
    case 'bright':
      return map(img, (v) => v * 2.2 + 40);
    case 'flat':
      return map(img, (v) => 170 + (v - 170) * 0.2);
    case 'blurred': {
      const { data } = await sharp(img.data, { raw: { width: W, height: H, channels: 3 } }).blur(Math.max(0.5, ied / 12)).raw().toBuffer({ resolveWithObject: true });
      return { width: W, height: H, data: new Uint8Array(data) };
    }
    case 'busy-background': {
      // Seeded coloured blocks: a poster wall behind the applicant.
      const r = prng(seed);
      const pattern = new Uint8Array(W * H * 3);
      const cell = Math.max(6, Math.round(ied / 4));
      for (let by = 0; by < H; by += cell) for (let bx = 0; bx < W; bx += cell) {
        const col = [r() * 255, r() * 255, r() * 255];
        for (let y = by; y < Math.min(H, by + cell); y++) for (let x = bx; x < Math.min(W, bx + cell); x++) for (let c = 0; c < 3; c++) pattern[(y * W + x) * 3 + c] = col[c]!;
      }
      return bgOnly((i, c) => pattern[i * 3 + c]!);
    }
    case 'dark-background':
      return bgOnly((_, c) => [70, 72, 75][c]!);
    case 'off-centre':
      return warp(img, W, H, { from: eye, to: [eye[0] - 0.3 * W, eye[1]], scale: 1, angle: 0 }).img;
    case 'cropped': {
      const top = Math.round(eye[1] - 0.55 * (base.landmarks[8]![1] - eye[1]));
      const { data, info } = await sharp(img.data, { raw: { width: W, height: H, channels: 3 } }).extract({ left: 0, top, width: W, height: H - top }).raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8Array(data) };
    }
    case 'small-head':
      return warp(img, W, H, { from: [W / 2, H / 2], to: [W / 2, H / 2], scale: 0.55, angle: 0 }).img;
    case 'two-faces': {
      // The other person's base at 45 % in the upper right corner, as if standing behind.
      const s = 0.45;
      const ow = Math.round(other.img.width * (H / other.img.height) * s);
      const oh = Math.round(H * s);
      const small = await resize(other.img, ow, oh);
      const out = new Uint8Array(img.data);
      for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
        const X = W - ow + x;
        if (X < 0) continue;
        for (let c = 0; c < 3; c++) out[(y * W + X) * 3 + c] = small.data[(y * ow + x) * 3 + c]!;
      }
      return { width: W, height: H, data: out };
    }
    case 'shadow': {
      // The image-left half of the person in shadow, with a soft edge along the nose line.
      const nose = base.landmarks[30]![0];
      const soft = 0.08 * ied;
      return map(img, (v, _c, i) => {
        const x = i % W;
        const k = person[i]! * Math.min(1, Math.max(0, (nose - x) / soft + 0.5));
        return v * (1 - 0.7 * k);
      });
    }
    case 'colour-cast':
      return map(img, (v, c) => v * [0.55, 0.95, 1.3][c]!);
    case 'low-resolution': {
      const f = 40 / ied;
      return resize(img, Math.round(W * f), Math.round(H * f));
    }
  }
}

/**
 * Hand labels of the deepface originals that the variants cannot change (expression, pose),
 * set by eye from a contact sheet of the reframed faces (helper P, 2026-12-02): mouth open =
 * lips apart or teeth showing; "unsure" photos are left out of that rule's count.
 */
export const DEEPFACE_HAND_LABELS: { mouthOpen: string[]; mouthUnsure: string[]; poseUnsure: string[] } = {
  mouthOpen: ['img1', 'img8', 'img9', 'img15', 'img17', 'img22', 'img23', 'img24', 'img25', 'img28', 'img38', 'img39', 'img42', 'img43', 'img44', 'img49', 'img50', 'img57', 'img58'],
  mouthUnsure: ['img16', 'img20', 'img21', 'img41', 'img46', 'img47', 'img56', 'img67'],
  poseUnsure: ['img17', 'img34', 'img59', 'img61', 'img67'],
};

/** Expected failures and uncounted rules of one labelled image. */
export function labelsFor(source: string, variant: Variant, lowResolutionSource: boolean): { fail: Set<PortraitRuleId>; dontCare: Set<PortraitRuleId> } {
  const v = VARIANT_LABELS[variant];
  const fail = new Set(v.fail);
  const dontCare = new Set(v.dontCare);
  const id = source.replace(/\.[a-z]+$/i, '');
  if (DEEPFACE_HAND_LABELS.mouthOpen.includes(id) && !dontCare.has('mouthClosed')) fail.add('mouthClosed');
  if (DEEPFACE_HAND_LABELS.mouthUnsure.includes(id)) dontCare.add('mouthClosed');
  if (DEEPFACE_HAND_LABELS.poseUnsure.includes(id)) for (const r of ['yaw', 'pitch'] as const) dontCare.add(r);
  if (lowResolutionSource) {
    // LFW photos are 250×250: about 40–50 px between the eyes, too few for a passport photo.
    // Expression and pose of the LFW originals were not labelled by hand.
    if (!dontCare.has('resolution')) fail.add('resolution');
    for (const r of ['mouthClosed', 'eyesOpen', 'yaw', 'pitch', 'sharpness'] as const) dontCare.add(r);
  }
  for (const r of dontCare) fail.delete(r);
  return { fail, dontCare };
}
