import type { RgbImage } from '../biometrics/decode.ts';

export type Point = [number, number];

/** Luminance 0..255 of every pixel (ITU-R BT.601 weights, as OFIQ's GetLuminanceImageFromBGR). */
export function luminance(img: RgbImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!;
  return out;
}

/** Even-odd test of one point against a closed polygon. */
function inside(poly: readonly Point[], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** Pixel indices inside a polygon (only its bounding box is scanned). */
export function polygonPixels(poly: readonly Point[], width: number, height: number): Uint32Array {
  const xs = poly.map((p) => p[0]);
  const ys = poly.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  const out: number[] = [];
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (inside(poly, x + 0.5, y + 0.5)) out.push(y * width + x);
  return Uint32Array.from(out);
}

/** Pixel indices inside an axis-aligned rectangle, clipped to the image. */
export function rectPixels(x0: number, y0: number, x1: number, y1: number, width: number, height: number): Uint32Array {
  const out: number[] = [];
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) out.push(y * width + x);
  }
  return Uint32Array.from(out);
}

/** Normalised 256-bin histogram of the luminance at the given pixels. */
export function histogram(lum: Float32Array, pixels: Uint32Array): Float64Array {
  const h = new Float64Array(256);
  for (const i of pixels) h[Math.min(255, Math.max(0, Math.round(lum[i]!)))]! += 1;
  if (pixels.length > 0) for (let k = 0; k < 256; k++) h[k]! /= pixels.length;
  return h;
}

/** Shannon entropy in bits of a normalised histogram. */
export function entropy(h: Float64Array): number {
  let e = 0;
  for (const p of h) if (p > 0) e -= p * Math.log2(p);
  return e;
}

/** sRGB 0..255 → CIELAB a*, b* (D65). */
export function labAB(r: number, g: number, b: number): [number, number] {
  const lin = (v: number): number => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const R = lin(r), G = lin(g), B = lin(b);
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
