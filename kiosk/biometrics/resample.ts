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
  /** Most taps per axis for area averaging when shrinking (1 = plain bilinear sampling). */
  maxTaps: number;
  /** Bilinear instead of nearest-pixel taps when averaging through a rotated map: 4× the reads, measurably better embeddings. */
  smooth?: boolean;
}

/**
 * Resamples `src` through `m` into a planar float tensor of outW×outH. A shrinking map
 * averages up to maxTaps² nearest-pixel taps spread over each output pixel's footprint
 * (area averaging: a 400-pixel face must not alias when it becomes 112 pixels); a map
 * that does not shrink takes one bilinear tap. Tight typed-array loops, no per-pixel
 * allocation; axis-aligned maps (detection canvas, crops) use precomputed index tables.
 */
export function warpToTensor(src: RgbImage, m: Affine, outW: number, outH: number, layout: TensorLayout, opt: WarpOptions): Float32Array {
  const nx = Math.min(opt.maxTaps, Math.max(1, Math.ceil(Math.hypot(m.a, m.d) - 1e-6)));
  const ny = Math.min(opt.maxTaps, Math.max(1, Math.ceil(Math.hypot(m.b, m.e) - 1e-6)));
  const acc = new Float32Array(outW * outH * 3);
  if (nx === 1 && ny === 1) bilinear(src, m, outW, outH, opt.fill, acc);
  else if (m.b === 0 && m.d === 0) boxAxisAligned(src, m, outW, outH, nx, ny, opt.fill, acc);
  else boxGeneral(src, m, outW, outH, nx, ny, opt.fill, acc, opt.smooth ?? false);
  return toPlanar(acc, outW * outH, layout);
}

function bilinear(src: RgbImage, m: Affine, outW: number, outH: number, fill: readonly number[], acc: Float32Array): void {
  const { width: W, height: H, data } = src;
  let k = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++, k += 3) {
      const u = m.a * (x + 0.5) + m.b * (y + 0.5) + m.c - 0.5;
      const v = m.d * (x + 0.5) + m.e * (y + 0.5) + m.f - 0.5;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const wx = u - x0;
        const wy = v - y0;
        const p = (y0 * W + x0) * 3;
        const q = p + W * 3;
        for (let c = 0; c < 3; c++) {
          const top = data[p + c]! + (data[p + 3 + c]! - data[p + c]!) * wx;
          const bot = data[q + c]! + (data[q + 3 + c]! - data[q + c]!) * wx;
          acc[k + c] = top + (bot - top) * wy;
        }
      } else {
        // At the border: nearest pixel when inside, fill colour outside.
        const xi = Math.floor(u + 0.5);
        const yi = Math.floor(v + 0.5);
        const inside = xi >= 0 && yi >= 0 && xi < W && yi < H;
        const p = (yi * W + xi) * 3;
        for (let c = 0; c < 3; c++) acc[k + c] = inside ? data[p + c]! : fill[c]!;
      }
    }
  }
}

/** Index table of one axis: byte offset of each tap, or −1 outside the image. */
function taps(n: number, out: number, scale: number, offset: number, size: number, stride: number): Int32Array {
  const t = new Int32Array(out * n);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < n; i++) {
      const s = Math.floor(scale * (o + (i + 0.5) / n) + offset);
      t[o * n + i] = s >= 0 && s < size ? s * stride : -1;
    }
  }
  return t;
}

function boxAxisAligned(src: RgbImage, m: Affine, outW: number, outH: number, nx: number, ny: number, fill: readonly number[], acc: Float32Array): void {
  const { width: W, height: H, data } = src;
  const xs = taps(nx, outW, m.a, m.c, W, 3);
  const ys = taps(ny, outH, m.e, m.f, H, W * 3);
  const inv = 1 / (nx * ny);
  const fr = fill[0]!, fg = fill[1]!, fb = fill[2]!;
  // Output columns whose taps are all inside the image: x in [xIn0, xIn1).
  let xIn0 = 0;
  while (xIn0 < outW && xs[xIn0 * nx]! < 0) xIn0++;
  let xIn1 = outW;
  while (xIn1 > xIn0 && xs[xIn1 * nx - 1]! < 0) xIn1--;
  // Output columns with at least one tap inside: x in [xOut0, xOut1).
  let xOut0 = 0;
  while (xOut0 < outW && xs[xOut0 * nx + nx - 1]! < 0) xOut0++;
  let xOut1 = outW;
  while (xOut1 > xOut0 && xs[(xOut1 - 1) * nx]! < 0) xOut1--;
  for (let y = 0; y < outH; y++) {
    let rowsInside = true;
    let rowsOutside = true;
    for (let j = 0; j < ny; j++) {
      if (ys[y * ny + j]! < 0) rowsInside = false;
      else rowsOutside = false;
    }
    for (let x = 0; x < outW; x++) {
      const k = (y * outW + x) * 3;
      if (rowsOutside || x < xOut0 || x >= xOut1) {
        // The padding border: nothing of the image under this pixel.
        acc[k] = fr;
        acc[k + 1] = fg;
        acc[k + 2] = fb;
        continue;
      }
      let r = 0, g = 0, b = 0;
      if (rowsInside && x >= xIn0 && x < xIn1 && xs[x * nx]! >= 0 && xs[x * nx + nx - 1]! >= 0) {
        // Fast path, the face region: every tap is inside the image.
        for (let j = 0; j < ny; j++) {
          const row = ys[y * ny + j]!;
          for (let i = 0; i < nx; i++) {
            const p = row + xs[x * nx + i]!;
            r += data[p]!; g += data[p + 1]!; b += data[p + 2]!;
          }
        }
        acc[k] = r * inv;
        acc[k + 1] = g * inv;
        acc[k + 2] = b * inv;
        continue;
      }
      let outside = 0;
      for (let j = 0; j < ny; j++) {
        const row = ys[y * ny + j]!;
        for (let i = 0; i < nx; i++) {
          const col = xs[x * nx + i]!;
          if (row < 0 || col < 0) {
            outside++;
          } else {
            const p = row + col;
            r += data[p]!; g += data[p + 1]!; b += data[p + 2]!;
          }
        }
      }
      acc[k] = (r + outside * fr) * inv;
      acc[k + 1] = (g + outside * fg) * inv;
      acc[k + 2] = (b + outside * fb) * inv;
    }
  }
}

function boxGeneral(src: RgbImage, m: Affine, outW: number, outH: number, nx: number, ny: number, fill: readonly number[], acc: Float32Array, smooth: boolean): void {
  const { width: W, height: H, data } = src;
  const n = nx * ny;
  const du = new Float64Array(n);
  const dv = new Float64Array(n);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const ox = (i + 0.5) / nx;
      const oy = (j + 0.5) / ny;
      // +0.5 turns the continuous coordinate into nearest-pixel rounding by floor.
      du[j * nx + i] = m.a * ox + m.b * oy;
      dv[j * nx + i] = m.d * ox + m.e * oy;
    }
  }
  const inv = 1 / n;
  const [fr, fg, fb] = fill as [number, number, number];
  let k = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++, k += 3) {
      const u0 = m.a * x + m.b * y + m.c;
      const v0 = m.d * x + m.e * y + m.f;
      let r = 0, g = 0, b = 0;
      for (let t = 0; t < n; t++) {
        if (smooth) {
          const u = u0 + du[t]! - 0.5;
          const v = v0 + dv[t]! - 0.5;
          const x0 = Math.floor(u);
          const y0 = Math.floor(v);
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
            const wx = u - x0;
            const wy = v - y0;
            const p = (y0 * W + x0) * 3;
            const q = p + W * 3;
            const w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy;
            r += data[p]! * w00 + data[p + 3]! * w01 + data[q]! * w10 + data[q + 3]! * w11;
            g += data[p + 1]! * w00 + data[p + 4]! * w01 + data[q + 1]! * w10 + data[q + 4]! * w11;
            b += data[p + 2]! * w00 + data[p + 5]! * w01 + data[q + 2]! * w10 + data[q + 5]! * w11;
            continue;
          }
        }
        const xi = Math.floor(u0 + du[t]!);
        const yi = Math.floor(v0 + dv[t]!);
        if (xi >= 0 && yi >= 0 && xi < W && yi < H) {
          const p = (yi * W + xi) * 3;
          r += data[p]!; g += data[p + 1]!; b += data[p + 2]!;
        } else {
          r += fr; g += fg; b += fb;
        }
      }
      acc[k] = r * inv;
      acc[k + 1] = g * inv;
      acc[k + 2] = b * inv;
    }
  }
}

function toPlanar(acc: Float32Array, plane: number, layout: TensorLayout): Float32Array {
  const { bias, scale } = layout;
  if (layout.order === 'grey') {
    const out = new Float32Array(plane);
    for (let i = 0, k = 0; i < plane; i++, k += 3) out[i] = (0.299 * acc[k]! + 0.587 * acc[k + 1]! + 0.114 * acc[k + 2]! - bias) * scale;
    return out;
  }
  const out = new Float32Array(plane * 3);
  const first = layout.order === 'bgr' ? 2 : 0;
  for (let i = 0, k = 0; i < plane; i++, k += 3) {
    out[i] = (acc[k + first]! - bias) * scale;
    out[plane + i] = (acc[k + 1]! - bias) * scale;
    out[2 * plane + i] = (acc[k + 2 - first]! - bias) * scale;
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
