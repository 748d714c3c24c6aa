/**
 * The arithmetic of the 1:N calibration (scripts/bench-identify.ts): synthetic gallery
 * templates, one scan of every probe over a gallery with maxima at several gallery sizes,
 * and FPIR/FNIR thresholds. Kept apart from the benchmark's I/O so it stays readable.
 *
 * Synthetic templates ("synthetic-augmented galleries"): lfw-calib has 1,468 people, far fewer
 * than 10,000 or 100,000, so the galleries are filled with synthetic templates made from real
 * lfw-calib templates of the gallery side only (never a probe's person): with μ their mean,
 * z = μ + (1/√m)·Σ_j ε_j·(x_{i_j} − μ) over m real rows i_j drawn at random and ε_j ~ N(0,1),
 * then normalised like every template. z has exactly the real rows' mean and covariance; m
 * sets the shape of the impostor tail: m = 32 is near-Gaussian and its tail was 10× too light
 * against real impostors at the fmr_1e-4 score (1.1e-5 vs 1.1e-4), m = 1 only rescales one
 * real person (copies, not new people), m = 2 — a random blend of two real people, a new
 * identity — came closest (5.7e-5 at fmr_1e-4, 2.1e-6 vs 2.0e-6 at fmr_1e-5; 708 probes ×
 * 6,000 synthetic). The remaining gap is covered by `tailWeight`.
 */
import { DIM, dotRow, unitProbe } from '../kiosk/identify/scan.ts';

export function gaussian(rnd: () => number): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
}

export const SYNTH_MIX = 2;

/** `count` synthetic unit templates (row-major) from the real rows `real` (unit templates). */
export function synthesize(real: readonly Float32Array[], count: number, rnd: () => number, alpha = 1, m = SYNTH_MIX): Float32Array {
  const mu = new Float64Array(DIM);
  for (const x of real) for (let i = 0; i < DIM; i++) mu[i]! += x[i]! / real.length;
  const out = new Float32Array(count * DIM);
  const z = new Float64Array(DIM);
  const g = gaussian(rnd);
  const w = alpha / Math.sqrt(m);
  for (let r = 0; r < count; r++) {
    z.set(mu);
    for (let j = 0; j < m; j++) {
      const x = real[Math.floor(rnd() * real.length)]!;
      const e = g() * w;
      for (let i = 0; i < DIM; i++) z[i]! += e * (x[i]! - mu[i]!);
    }
    out.set(unitProbe(z)!, r * DIM);
  }
  return out;
}

export interface ScanResult {
  /** maxAt[s][p]: best score of probe p over the first sizes[s] gallery rows. */
  maxAt: Float64Array[];
  /** Per probe, over the synthetic rows only (from row `synthFrom`): mean and variance of its scores. */
  synthMean: Float64Array;
  synthVar: Float64Array;
  /** Impostor pairs at or above each of `countAt`, for real rows and synthetic rows separately. */
  realOver: number[];
  synthOver: number[];
  realPairs: number;
  synthPairs: number;
}

/**
 * Scores every probe against the gallery rows in order once (all probes are non-mated to all
 * rows), keeping prefix maxima at `sizes`, per-probe moments over rows ≥ `synthFrom`, and tail
 * counts at the thresholds `countAt`. `progress` is called now and then with the probes done.
 */
export function scanProbes(probes: readonly Float32Array[], gallery: Float32Array, synthFrom: number, sizes: readonly number[], countAt: readonly number[], progress?: (done: number) => void): ScanResult {
  const rows = gallery.length / DIM;
  const P = probes.length;
  const maxAt = sizes.map(() => new Float64Array(P).fill(-Infinity));
  const synthMean = new Float64Array(P), synthVar = new Float64Array(P);
  const realOver = countAt.map(() => 0), synthOver = countAt.map(() => 0);
  const lowest = Math.min(...countAt);
  const order = sizes.map((s, i) => ({ s: Math.min(s, rows), i })).sort((a, b) => a.s - b.s);
  for (let p = 0; p < P; p++) {
    const q = unitProbe(probes[p]!)!;
    let best = -Infinity, sum = 0, sum2 = 0, next = 0;
    for (let r = 0; r < rows; r++) {
      while (next < order.length && order[next]!.s === r) maxAt[order[next++]!.i]![p] = best;
      const s = dotRow(gallery, r, q);
      if (s > best) best = s;
      if (r >= synthFrom) { sum += s; sum2 += s * s; }
      if (s >= lowest) countAt.forEach((t, i) => { if (s >= t) (r >= synthFrom ? synthOver : realOver)[i]!++; });
    }
    while (next < order.length) maxAt[order[next++]!.i]![p] = best;
    const n = rows - synthFrom;
    synthMean[p] = n > 0 ? sum / n : 0;
    synthVar[p] = n > 1 ? Math.max(0, (sum2 - (sum * sum) / n) / (n - 1)) : 0;
    if (progress && p % 50 === 49) progress(p + 1);
  }
  return { maxAt, synthMean, synthVar, realOver, synthOver, realPairs: P * Math.min(synthFrom, rows), synthPairs: P * Math.max(0, rows - synthFrom) };
}

/**
 * Threshold for a rate f over `scores` (one per search, higher = more alarming), by the rule of
 * the 1:1 operating points: just above the (k+1)-th highest, k = ⌊f·n⌋, rounded up to 3
 * decimals; with the rate then measured at that threshold.
 */
export function thresholdAt(scores: ArrayLike<number>, f: number): { threshold: number; rate: number; over: number; k: number } {
  const s = Float64Array.from(scores).sort().reverse();
  const k = Math.floor(f * s.length);
  const threshold = Math.ceil((s[k]! + 1e-9) * 1000) / 1000;
  const over = s.filter((v) => v >= threshold).length;
  return { threshold, rate: over / s.length, over, k };
}

/** Upper tail of the standard normal, Q(x) = erfc(x/√2)/2 (Numerical Recipes erfc, |rel. error| < 1.2e-7). */
export function normalTail(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r / 2 : 1 - r / 2;
}

/**
 * Model FPIR at threshold t for a gallery of `real` real rows plus `synth` synthetic rows:
 * each probe's synthetic scores taken as normal with its own measured mean and variance,
 * so P(any of `synth` ≥ t) = 1 − (1 − Q((t − μ_p)/σ_p))^synth, combined with the probe's
 * actual best over the real rows. Resolves rates far below 1/probes, under the model.
 */
export function modelFpir(t: number, realMax: ArrayLike<number>, r: ScanResult, synth: number): number {
  let sum = 0;
  for (let p = 0; p < realMax.length; p++) {
    if (realMax[p]! >= t) { sum += 1; continue; }
    const sd = Math.sqrt(r.synthVar[p]!);
    const q = sd > 0 ? normalTail((t - r.synthMean[p]!) / sd) : t <= r.synthMean[p]! ? 1 : 0;
    sum += -Math.expm1(synth * Math.log1p(-Math.min(q, 1 - 1e-16)));
  }
  return sum / realMax.length;
}

/** Smallest threshold (3 decimals, rounded up) whose model FPIR is ≤ f. */
export function modelThreshold(f: number, realMax: ArrayLike<number>, r: ScanResult, synth: number): number {
  let lo = -1, hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (modelFpir(mid, realMax, r, synth) > f) lo = mid; else hi = mid;
  }
  return Math.ceil(hi * 1000) / 1000;
}

/**
 * How much lighter the synthetic impostor tail is than the real one at a calibrated 1:1 point
 * (e.g. lfw-calib's fmr_1e-4: 0.411 at 9.8e-5 over 1.2 million real pairs): real rate ÷ the
 * rate of (probe, synthetic) pairs at that threshold, at least 1. The FPIR model counts every
 * synthetic row as this many rows, so a lighter synthetic tail cannot make a threshold laxer.
 */
export function tailWeight(real: readonly Float32Array[], probes: readonly Float32Array[], threshold: number, rate: number, rnd: () => number, draws = 8000, m = SYNTH_MIX): { weight: number; syntheticRate: number; pairs: number } {
  const syn = synthesize(real, draws, rnd, 1, m);
  let over = 0;
  for (const t of probes) {
    const q = unitProbe(t)!;
    for (let r = 0; r < draws; r++) if (dotRow(syn, r, q) >= threshold) over++;
  }
  const pairs = probes.length * draws;
  const syntheticRate = over / pairs;
  return { weight: Math.max(1, syntheticRate > 0 ? rate / syntheticRate : Infinity), syntheticRate, pairs };
}
