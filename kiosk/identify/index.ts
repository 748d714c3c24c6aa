/**
 * kiosk/identify — identification without a token (1:N) for enrolled residents who opted in
 * (issue 19 §3). The corridor profile (kiosk/corridor/) needs only this interface:
 *
 * ```ts
 * import { GalleryIndex, identificationPolicy, loadIdentificationPoints } from '../identify/index.ts';
 *
 * // At start-up (and after enrolment changes): opted-in references only, decrypted into memory.
 * const gallery = GalleryIndex.fromStore({ path, keyPath, clock });      // throws IdentifyError
 * const policy = identificationPolicy(loadIdentificationPoints(), gallery.size, 'fpir_1e-3');
 *
 * // Per traveller: the fused probe template (512 values, any scale; normalised inside).
 * const top = gallery.search(probe, 5);        // Candidate[]: { sub, score } best first, ≤ k
 * const d = gallery.identify(probe, policy);   // Identification (below)
 * if (d.decision === 'identified') open for d.sub; else fall back (token tap / officer).
 * ```
 *
 * - `search(probe, k)` is exact: the same top-k as comparing the probe with every template
 *   (cosine of L2-normalised templates; ties broken by sub). With `{ quantized: true }` the scan
 *   runs on int8 copies and re-ranks exactly every row whose error bound could reach the top-k,
 *   so the answer is still exact. Synchronous; cost grows linearly with the gallery
 *   (scripts/bench-identify.ts measures it at 10,000 and 100,000: ~14 ms and ~144 ms of CPU).
 * - `await searchAsync(probe, k)`: the same answer, scanned in slices with the event loop free
 *   between them — use it on the thread that also drives the doors for large galleries.
 * - `identify(probe, policy)`: `identified` when the best score ≥ `policy.threshold` and it
 *   beats the second best by ≥ `policy.margin`; otherwise `not_identified` with a reason
 *   (`empty_gallery`, `below_threshold`, `ambiguous`). Never throws for a valid probe.
 * - `policy` comes from config/identification-points.json, calibrated per gallery size for a
 *   false positive identification rate (FPIR) of 1e-2 or 1e-3 on lfw-calib (docs/decisions.md,
 *   "1:N identification"); a gallery larger than any calibrated size has no policy
 *   (IDENTIFY_NO_OPERATING_POINT): the lane must not guess a threshold.
 * - Templates stay sealed on disk (kiosk/enrolment); the index holds them in memory only and
 *   `close()` zeroes them. Residents who did not opt in (or withdrew) are never loaded, so
 *   they can never be returned. `upsert` / `remove` keep a live index in step with enrolment
 *   changes.
 */
export { GalleryIndex, type Candidate, type GalleryEntry, type GalleryIndexOptions, type GalleryStoreOptions } from './gallery-index.ts';
export { decideIdentification, type Identification, type IdentificationPolicy } from './decide.ts';
export { identificationPolicy, loadIdentificationPoints, type IdentificationPoints, type FpirTarget } from './operating-points.ts';
export { IdentifyError } from './errors.ts';
