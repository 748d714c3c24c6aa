/**
 * Verification accuracy from genuine (same person) and impostor (different people) scores.
 * A pair whose image failed detection carries score −Infinity: it counts as a rejection,
 * never silently drops out of the denominators.
 *
 * Everything here sorts the scores once and then sweeps or bisects (O(n log n)): a
 * calibration set has a million impostor pairs, where a rescan per threshold would never end.
 */

export interface RatesAt {
  /** Lowest threshold at which at most floor(far · impostors) impostor pairs still pass. */
  threshold: number;
  /** Measured false accept rate at that threshold. */
  far: number;
  tar: number;
  /** True when the impostor count is too small to resolve this FAR (no impostor may pass). */
  unresolved: boolean;
}

/** Scores sorted once, highest first; −Infinity (failed detection) sorts last. */
export interface SortedScores {
  genuine: Float64Array;
  impostor: Float64Array;
}

function descending(s: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(s, (x) => (Number.isNaN(x) ? -Infinity : x));
  a.sort();
  a.reverse();
  return a;
}

/** Sorts both score lists (accepts already-sorted input and returns it as is). */
export function sortScores(genuine: ArrayLike<number> | SortedScores, impostor?: ArrayLike<number>): SortedScores {
  if (impostor === undefined) return genuine as SortedScores;
  return { genuine: descending(genuine as ArrayLike<number>), impostor: descending(impostor) };
}

/** How many of the descending scores are ≥ t (binary search). */
export function countAtLeast(desc: Float64Array, t: number): number {
  let lo = 0, hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (desc[mid]! >= t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

const rate = (desc: Float64Array, t: number): number => (desc.length ? countAtLeast(desc, t) / desc.length : 0);

/** False accept and true accept rate at a threshold (a pair passes when score ≥ threshold). */
export function ratesAtThreshold(s: SortedScores, t: number): { far: number; tar: number } {
  return { far: rate(s.impostor, t), tar: rate(s.genuine, t) };
}

/**
 * The operating threshold for a target FAR: just above the (k+1)-th highest impostor score,
 * k = floor(far · impostors), rounded up to `decimals` so the config reads cleanly and the
 * rounding can only make the gate stricter.
 */
export function rateAtFar(genuine: ArrayLike<number> | SortedScores, impostor: ArrayLike<number> | undefined, far: number, decimals = 3): RatesAt {
  const s = sortScores(genuine, impostor);
  const k = Math.floor(far * s.impostor.length);
  const step = 10 ** -decimals;
  const above = k < s.impostor.length && Number.isFinite(s.impostor[k]!) ? s.impostor[k]! : undefined;
  const threshold = above === undefined ? -1 : Math.ceil((above + 1e-9) / step) * step;
  const t = Number(threshold.toFixed(decimals));
  return { threshold: t, ...ratesAtThreshold(s, t), unresolved: k === 0 };
}

/**
 * Sweeps the distinct finite thresholds from the highest down, calling `at` with the number
 * of genuine and impostor scores ≥ each. One pass over both sorted lists.
 */
function sweep(s: SortedScores, at: (t: number, gen: number, imp: number) => void): void {
  const g = s.genuine, m = s.impostor;
  let i = 0, j = 0;
  while (true) {
    const t = Math.max(i < g.length ? g[i]! : -Infinity, j < m.length ? m[j]! : -Infinity);
    if (!Number.isFinite(t)) break;
    while (i < g.length && g[i]! >= t) i++;
    while (j < m.length && m[j]! >= t) j++;
    at(t, i, j);
  }
}

/** Equal error rate: where false accepts and false rejects cross (mean of the two at the closest threshold). */
export function equalErrorRate(genuine: ArrayLike<number> | SortedScores, impostor?: ArrayLike<number>): number {
  const s = sortScores(genuine, impostor);
  const nG = s.genuine.length, nI = s.impostor.length;
  // Perfectly separated sets: a threshold between them has no error at all.
  if (nG && nI && s.genuine[nG - 1]! > s.impostor[0]!) return 0;
  let best = { gap: Infinity, eer: 1 };
  sweep(s, (_t, g, m) => {
    const far = nI ? m / nI : 0;
    const frr = 1 - (nG ? g / nG : 0);
    const gap = Math.abs(far - frr);
    if (gap < best.gap || (gap === best.gap && (far + frr) / 2 < best.eer)) best = { gap, eer: (far + frr) / 2 };
  });
  return best.eer;
}

export interface DetPoint { threshold: number; far: number; frr: number }

/** Points of the DET curve (false accept rate, false reject rate), one per distinct threshold. */
export function detCurve(genuine: ArrayLike<number> | SortedScores, impostor?: ArrayLike<number>): DetPoint[] {
  const s = sortScores(genuine, impostor);
  const out: DetPoint[] = [];
  const nG = s.genuine.length, nI = s.impostor.length;
  sweep(s, (t, g, m) => out.push({ threshold: t, far: nI ? m / nI : 0, frr: 1 - (nG ? g / nG : 0) }));
  return out;
}

/**
 * The DET curve thinned for a plot or a report: every point where FRR changes (the genuine
 * side is small) plus points spaced ≥ `step` decades apart in FAR, so a million-pair curve
 * keeps its shape in a few hundred points.
 */
export function detCurveThinned(s: SortedScores, step = 0.02): DetPoint[] {
  const all = detCurve(s);
  const out: DetPoint[] = [];
  let lastFrr = NaN, lastLogFar = -Infinity;
  for (let i = 0; i < all.length; i++) {
    const p = all[i]!;
    const lf = Math.log10(Math.max(p.far, 1e-12));
    const last = i === all.length - 1;
    if (i === 0 || last || p.frr !== lastFrr || lf - lastLogFar >= step) {
      out.push(p);
      lastFrr = p.frr;
      lastLogFar = lf;
    }
  }
  return out;
}

/** Threshold with the highest accuracy (correct accepts + correct rejects) over these scores. */
export function bestAccuracyThreshold(s: SortedScores): { threshold: number; accuracy: number } {
  const nG = s.genuine.length, nI = s.impostor.length, n = nG + nI;
  // Start with "reject all" (threshold above every score).
  let best = { threshold: Infinity, accuracy: n ? nI / n : 0 };
  sweep(s, (t, g, m) => {
    const acc = (g + (nI - m)) / n;
    if (acc > best.accuracy) best = { threshold: t, accuracy: acc };
  });
  return best;
}

/**
 * k-fold accuracy as the LFW protocol computes it: for each fold, the threshold with the best
 * accuracy on the other folds, applied to the held-out fold. `fold[i]` belongs to `score[i]`.
 */
export function foldAccuracy(score: ArrayLike<number>, same: ArrayLike<boolean | number>, fold: ArrayLike<number>): { mean: number; std: number; folds: { fold: number; threshold: number; accuracy: number; pairs: number }[] } {
  const ids = [...new Set(Array.from(fold))].sort((a, b) => a - b);
  const folds = ids.map((f) => {
    const trainG: number[] = [], trainI: number[] = [], testG: number[] = [], testI: number[] = [];
    for (let i = 0; i < score.length; i++) {
      const into = fold[i] === f ? (same[i] ? testG : testI) : (same[i] ? trainG : trainI);
      into.push(score[i]!);
    }
    const { threshold } = bestAccuracyThreshold(sortScores(trainG, trainI));
    const ok = testG.filter((x) => x >= threshold).length + testI.filter((x) => !(x >= threshold)).length;
    return { fold: f, threshold, accuracy: ok / Math.max(1, testG.length + testI.length), pairs: testG.length + testI.length };
  });
  const mean = folds.reduce((a, f) => a + f.accuracy, 0) / Math.max(1, folds.length);
  const std = Math.sqrt(folds.reduce((a, f) => a + (f.accuracy - mean) ** 2, 0) / Math.max(1, folds.length));
  return { mean, std, folds };
}
