/**
 * The inner loops of the gallery scan. Plain JavaScript on typed arrays (no native addon, no
 * SIMD): four accumulators and an 8-way unrolled loop let V8 keep the partial sums in
 * registers; scripts/bench-identify.ts measures what that gives at 10,000 and 100,000 rows.
 */

/** Length of a template (the face engine's embedding). */
export const DIM = 512;

/** Dot product of row `row` of `m` (row-major, DIM per row) with `p` (DIM values). */
export function dotRow(m: Float32Array, row: number, p: Float64Array): number {
  const o = row * DIM;
  let a = 0, b = 0, c = 0, d = 0;
  for (let i = 0; i < DIM; i += 8) {
    a += m[o + i]! * p[i]! + m[o + i + 4]! * p[i + 4]!;
    b += m[o + i + 1]! * p[i + 1]! + m[o + i + 5]! * p[i + 5]!;
    c += m[o + i + 2]! * p[i + 2]! + m[o + i + 6]! * p[i + 6]!;
    d += m[o + i + 3]! * p[i + 3]! + m[o + i + 7]! * p[i + 7]!;
  }
  return a + b + c + d;
}

/** Integer dot product of int8 row `row` of `q` with the quantised probe `qp` (exact: |sum| < 2^23). */
export function dotRowI8(q: Int8Array, row: number, qp: Int8Array): number {
  const o = row * DIM;
  let a = 0, b = 0, c = 0, d = 0;
  for (let i = 0; i < DIM; i += 8) {
    a = (a + q[o + i]! * qp[i]! + q[o + i + 4]! * qp[i + 4]!) | 0;
    b = (b + q[o + i + 1]! * qp[i + 1]! + q[o + i + 5]! * qp[i + 5]!) | 0;
    c = (c + q[o + i + 2]! * qp[i + 2]! + q[o + i + 6]! * qp[i + 6]!) | 0;
    d = (d + q[o + i + 3]! * qp[i + 3]! + q[o + i + 7]! * qp[i + 7]!) | 0;
  }
  return a + b + c + d;
}

/**
 * Symmetric int8 quantisation of DIM values: q = round(x / s), s = max|x| / 127. Returns the
 * scale and the exact L2 norm of the error x − s·q (computed in doubles, nudged up by one part
 * in 10^9 so rounding can only widen the bound the re-rank relies on).
 */
export function quantize(src: ArrayLike<number>, srcOff: number, dst: Int8Array, dstOff: number): { scale: number; err: number } {
  let max = 0;
  for (let i = 0; i < DIM; i++) max = Math.max(max, Math.abs(src[srcOff + i]!));
  const scale = max > 0 ? max / 127 : 1;
  let e2 = 0;
  for (let i = 0; i < DIM; i++) {
    const x = src[srcOff + i]!;
    const q = Math.max(-127, Math.min(127, Math.round(x / scale)));
    dst[dstOff + i] = q;
    const e = x - q * scale;
    e2 += e * e;
  }
  return { scale, err: Math.sqrt(e2) * (1 + 1e-9) + 1e-12 };
}

/** The probe as unit-length doubles; null when it is not DIM finite values with a length. */
export function unitProbe(p: ArrayLike<number>): Float64Array | null {
  if (!p || p.length !== DIM) return null;
  let n2 = 0;
  for (let i = 0; i < DIM; i++) {
    const v = p[i]!;
    if (!Number.isFinite(v)) return null;
    n2 += v * v;
  }
  if (!(n2 > 1e-24) || !Number.isFinite(n2)) return null;
  const inv = 1 / Math.sqrt(n2);
  const out = new Float64Array(DIM);
  for (let i = 0; i < DIM; i++) out[i] = p[i]! * inv;
  return out;
}
