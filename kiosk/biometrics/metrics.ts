/**
 * Verification accuracy from genuine (same person) and impostor (different people) scores.
 * A pair whose image failed detection carries score −Infinity: it counts as a rejection,
 * never silently drops out of the denominators.
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

const desc = (s: readonly number[]): number[] => [...s].sort((a, b) => b - a);

function passRate(scores: readonly number[], t: number): number {
  if (scores.length === 0) return 0;
  let n = 0;
  for (const s of scores) if (s >= t) n++;
  return n / scores.length;
}

/**
 * The operating threshold for a target FAR: just above the (k+1)-th highest impostor score,
 * k = floor(far · impostors), rounded up to `decimals` so the config reads cleanly and the
 * rounding can only make the gate stricter.
 */
export function rateAtFar(genuine: readonly number[], impostor: readonly number[], far: number, decimals = 3): RatesAt {
  const imp = desc(impostor.filter(Number.isFinite));
  const k = Math.floor(far * impostor.length);
  const step = 10 ** -decimals;
  const above = imp[k];
  const threshold = above === undefined ? -1 : Math.ceil((above + 1e-9) / step) * step;
  const t = Number(threshold.toFixed(decimals));
  return { threshold: t, far: passRate(impostor, t), tar: passRate(genuine, t), unresolved: k === 0 };
}

/** Equal error rate: where false accepts and false rejects cross (mean of the two at the closest threshold). */
export function equalErrorRate(genuine: readonly number[], impostor: readonly number[]): number {
  const ts = desc([...genuine, ...impostor].filter(Number.isFinite));
  let best = { gap: Infinity, eer: 1 };
  for (const t of ts) {
    const far = passRate(impostor, t);
    const frr = 1 - passRate(genuine, t);
    const gap = Math.abs(far - frr);
    if (gap < best.gap || (gap === best.gap && (far + frr) / 2 < best.eer)) best = { gap, eer: (far + frr) / 2 };
  }
  // Perfectly separated sets: a threshold between them has no error at all.
  const minGen = Math.min(...genuine);
  const maxImp = Math.max(...impostor);
  if (genuine.length && impostor.length && minGen > maxImp) return 0;
  return best.eer;
}

/** Points of the DET curve (false accept rate, false reject rate), one per distinct threshold. */
export function detCurve(genuine: readonly number[], impostor: readonly number[]): { threshold: number; far: number; frr: number }[] {
  const ts = [...new Set(desc([...genuine, ...impostor].filter(Number.isFinite)))];
  return ts.map((t) => ({ threshold: t, far: passRate(impostor, t), frr: 1 - passRate(genuine, t) }));
}
