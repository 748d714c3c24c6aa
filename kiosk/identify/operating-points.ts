import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { IdentificationPolicy } from './decide.ts';
import { IdentifyError } from './errors.ts';

/** The calibrated false positive identification rates a lane can ask for. */
export type FpirTarget = 'fpir_1e-2' | 'fpir_1e-3';

const Point = z
  .object({
    threshold: z.number().min(-1).max(1),
    /** measured on the calibration data at this threshold */
    fpir: z.number().min(0).max(1),
    fnir: z.number().min(0).max(1).nullable(),
    nonMatedProbes: z.number().int().nonnegative(),
    matedSearches: z.number().int().nonnegative(),
    note: z.string().optional(),
  })
  .strict();

const Size = z.object({ gallerySize: z.number().int().positive(), 'fpir_1e-2': Point, 'fpir_1e-3': Point }).strict();

const File = z
  .object({
    $comment: z.string().optional(),
    method: z.string(),
    data: z.string(),
    date: z.string(),
    /** Margin over the second best used in the FNIR figures (0 = threshold only). */
    margin: z.number().min(0).max(2),
    sizes: z.array(Size).min(1),
  })
  .strict();

export type IdentificationPoints = z.infer<typeof File>;

const DEFAULT_PATH = new URL('../../config/identification-points.json', import.meta.url).pathname;

/** Reads and validates config/identification-points.json (written by scripts/bench-identify.ts --write). */
export function loadIdentificationPoints(path = DEFAULT_PATH): IdentificationPoints {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new IdentifyError('IDENTIFY_NO_OPERATING_POINT', `cannot read identification operating points ${path}: ${(err as Error).message}`, { cause: err });
  }
  const r = File.safeParse(raw);
  if (!r.success) throw new IdentifyError('IDENTIFY_NO_OPERATING_POINT', `invalid identification operating points ${path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/**
 * The policy for a gallery of `gallerySize` templates: the thresholds of the smallest
 * calibrated size that is at least as large (the FPIR of a threshold only grows with the
 * gallery, so a larger size's threshold is the safe side). Beyond the largest calibrated size
 * there is no policy: IDENTIFY_NO_OPERATING_POINT.
 */
export function identificationPolicy(points: IdentificationPoints, gallerySize: number, target: FpirTarget, margin = points.margin): IdentificationPolicy {
  if (!Number.isInteger(gallerySize) || gallerySize < 0) throw new IdentifyError('IDENTIFY_BAD_ARGUMENT', 'gallery size must be a non-negative integer');
  const fit = [...points.sizes].sort((a, b) => a.gallerySize - b.gallerySize).find((s) => s.gallerySize >= gallerySize);
  if (!fit) throw new IdentifyError('IDENTIFY_NO_OPERATING_POINT', `no ${target} threshold calibrated for a gallery of ${gallerySize} (largest: ${Math.max(...points.sizes.map((s) => s.gallerySize))})`);
  return { threshold: fit[target].threshold, margin, name: `${target}@${fit.gallerySize}` };
}
