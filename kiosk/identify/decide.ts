import { IdentifyError } from './errors.ts';

/** One enrolled resident as a search returns them: the sub and the cosine score. */
export interface Candidate {
  sub: string;
  score: number;
}

/**
 * When a search names a resident. `threshold` is the calibrated score for the gallery size
 * (config/identification-points.json); `margin` (≥ 0) is how far the best must beat the second
 * best — 0 means "threshold only". `name` says where the numbers came from, for the journal.
 */
export interface IdentificationPolicy {
  threshold: number;
  margin: number;
  name?: string;
}

export type Identification =
  | { decision: 'identified'; sub: string; score: number; /** best − second best (Infinity with one candidate) */ margin: number }
  | { decision: 'not_identified'; reason: 'empty_gallery' | 'below_threshold' | 'ambiguous'; /** best score, null on an empty gallery */ score: number | null };

export function checkPolicy(p: IdentificationPolicy): void {
  if (!Number.isFinite(p.threshold) || p.threshold < -1 || p.threshold > 1) throw new IdentifyError('IDENTIFY_BAD_ARGUMENT', 'threshold must be a cosine score in [-1, 1]');
  if (!Number.isFinite(p.margin) || p.margin < 0 || p.margin > 2) throw new IdentifyError('IDENTIFY_BAD_ARGUMENT', 'margin must be in [0, 2]');
}

/**
 * The decision on the best two candidates (best first, as search returns them). The threshold
 * sets the false positive identification rate; the margin guards against naming the wrong one
 * of two look-alike residents (both above threshold, too close to tell apart): that case is
 * `ambiguous`, never a guess.
 */
export function decideIdentification(top: readonly Candidate[], policy: IdentificationPolicy): Identification {
  checkPolicy(policy);
  const best = top[0];
  if (!best) return { decision: 'not_identified', reason: 'empty_gallery', score: null };
  if (!(best.score >= policy.threshold)) return { decision: 'not_identified', reason: 'below_threshold', score: best.score };
  const second = top[1];
  const margin = second ? best.score - second.score : Infinity;
  if (policy.margin > 0 && !(margin >= policy.margin)) return { decision: 'not_identified', reason: 'ambiguous', score: best.score };
  return { decision: 'identified', sub: best.sub, score: best.score, margin };
}
