import type { RgbImage } from './decode.ts';

/**
 * Maps output coordinates to source coordinates (both continuous, pixel centres at +0.5):
 * u = a·x + b·y + c, v = d·x + e·y + f.
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** How a warped image is laid out as a network input: planar, value = (v − bias) · scale. */
export interface TensorLayout {
  order: 'rgb' | 'bgr' | 'grey';
  bias: number;
  scale: number;
}

export interface WarpOptions {
  /** Colour of source positions outside the image (RGB 0..255). */
  fill: readonly [number, number, number];
  /** Most taps per axis for area averaging when shrinking (1 = plain sampling). */
  maxTaps: number;
  /** Bilinear taps (smoother, 4× the reads) or nearest-pixel taps (fast). */
  bilinear: boolean;
}

/**
 * Resamples `src` through `m` into a planar float tensor of outW×outH. A shrinking map
 * averages up to maxTaps² taps spread over each output pixel's footprint, which is what
 * keeps a 400-pixel face from aliasing when it becomes 112 pixels (area averaging);
 * enlarging uses one tap. Tight typed-array loops: no per-pixel allocation.
 */
export function warpToTensor(src: RgbImage, m: Affine, outW: number, outH: number, layout: TensorLayout, opt: WarpOptions): Float32Array {
  const plane = outW * outH;
  const out = new Float32Array(layout.order === 'grey' ? plane : plane * 3);
  const nx = Math.min(opt.maxTaps, Math.max(1, Math.ceil(Math.hypot(m.a, m.d) - 1e-6)));
  const ny = Math.min(opt.maxTaps, Math.max(1, Math.ceil(Math.hypot(m.b, m.e) - 1e-6)));
  const taps = nx * ny;
  const W = src.width;
  const H = src.height;
  const data = src.data;
  const [fr, fg, fb] = opt.fill;
  const bgr = layout.order === 'bgr';
  const grey = layout.order === 'grey';
  const { bias, scale } = layout;
  const inv = 1 / taps;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ny; j++) {
        const oy = y + (j + 0.5) / ny;
        for (let i = 0; i < nx; i++) {
          const ox = x + (i + 0.5) / nx;
          const u = m.a * ox + m.b * oy + m.c - 0.5;
          const v = m.d * ox + m.e * oy + m.f - 0.5;
          if (opt.bilinear) {
            const x0 = Math.floor(u);
            const y0 = Math.floor(v);
            const wx = u - x0;
            const wy = v - y0;
            if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
              const p = (y0 * W + x0) * 3;
              const q = p + W * 3;
              const w00 = (1 - wx) * (1 - wy);
              const w01 = wx * (1 - wy);
              const w10 = (1 - wx) * wy;
              const w11 = wx * wy;
              r += data[p]! * w00 + data[p + 3]! * w01 + data[q]! * w10 + data[q + 3]! * w11;
              g += data[p + 1]! * w00 + data[p + 4]! * w01 + data[q + 1]! * w10 + data[q + 4]! * w11;
              b += data[p + 2]! * w00 + data[p + 5]! * w01 + data[q + 2]! * w10 + data[q + 5]! * w11;
              continue;
            }
          }
          const xi = Math.round(u);
          const yi = Math.round(v);
          if (xi >= 0 && yi >= 0 && xi < W && yi < H) {
            const p = (yi * W + xi) * 3;
            r += data[p]!;
            g += data[p + 1]!;
            b += data[p + 2]!;
          } else {
            r += fr;
            g += fg;
            b += fb;
          }
        }
      }
      const k = y * outW + x;
      if (grey) {
        out[k] = ((0.299 * r + 0.587 * g + 0.114 * b) * inv - bias) * scale;
      } else {
        out[k] = ((bgr ? b : r) * inv - bias) * scale;
        out[plane + k] = (g * inv - bias) * scale;
        out[2 * plane + k] = ((bgr ? r : b) * inv - bias) * scale;
      }
    }
  }
  return out;
}

/** Axis-aligned map that sends the output rectangle onto the source rectangle [x1,y1,x2,y2]. */
export function rectMap(rect: readonly [number, number, number, number], outW: number, outH: number): Affine {
  const [x1, y1, x2, y2] = rect;
  return { a: (x2 - x1) / outW, b: 0, c: x1, d: 0, e: (y2 - y1) / outH, f: y1 };
}

/** Mean colour of an image from a sparse grid of samples (for padding borders). */
export function meanColour(src: RgbImage): [number, number, number] {
  const step = Math.max(1, Math.floor(Math.sqrt((src.width * src.height) / 4096)));
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = 0; y < src.height; y += step) {
    for (let x = 0; x < src.width; x += step) {
      const p = (y * src.width + x) * 3;
      r += src.data[p]!;
      g += src.data[p + 1]!;
      b += src.data[p + 2]!;
      n++;
    }
  }
  return [r / n, g / n, b / n];
}
