import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { operatingPoint } from '../../config/sections/face.ts';
import { sha256File } from '../../models/provision.ts';
import { UpdateRefusedError } from './update-error.ts';

/**
 * The models of a release, checked in its slot before the switch and again by the health
 * check after it. A release ships `models/manifest.json` (the format of models/manifest.json:
 * name, file, sha256 per model) and, because an operating point belongs to one model, the
 * thresholds calibrated for it: `calibration` names the file (config's operatingPoint shape),
 * the SHA-256 of the feature model they were measured with, and the points the gate needs.
 */
const manifestSchema = z.object({
  models: z.array(z.object({ name: z.string().min(1), file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).passthrough()).min(1),
  calibration: z.strictObject({
    check: z.literal('operating-points'),
    file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    /** SHA-256 of the model whose scores set the thresholds (the feature model). */
    modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Operating points the gate decides with: each must be present and pass. */
    requires: z.array(z.string().regex(/^fmr_\d(\.\d+)?e-\d+$/)).min(1),
  }),
}).passthrough();

export type ReleaseModelManifest = z.infer<typeof manifestSchema>;

export interface ModelCheckResult {
  models: number;
  operatingPoints: string[];
}

const refuse = (code: 'UPDATE_MODEL_MISMATCH' | 'UPDATE_CALIBRATION', msg: string): never => {
  throw new UpdateRefusedError(code, msg);
};

/** Checks every model file in `dir` against the manifest there, then the calibration it names. */
export function checkReleaseModels(dir: string): ModelCheckResult {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) refuse('UPDATE_MODEL_MISMATCH', `the release has no models/manifest.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    refuse('UPDATE_MODEL_MISMATCH', `models/manifest.json does not parse: ${(e as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) refuse('UPDATE_MODEL_MISMATCH', `models/manifest.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const m = parsed.data!;
  const listed = new Set(['manifest.json', m.calibration.file, ...m.models.map((x) => x.file)]);
  for (const f of readdirSync(dir)) if (!listed.has(f)) refuse('UPDATE_MODEL_MISMATCH', `models/${f} is not named by the model manifest`);
  for (const x of m.models) {
    const p = join(dir, x.file);
    if (!existsSync(p)) refuse('UPDATE_MODEL_MISMATCH', `model ${x.file} named by the manifest is missing`);
    const actual = sha256File(p);
    if (actual !== x.sha256) refuse('UPDATE_MODEL_MISMATCH', `model ${x.file} has SHA-256 ${actual}, its manifest says ${x.sha256}`);
  }
  return { models: m.models.length, operatingPoints: checkCalibration(dir, m) };
}

/** Target false match rate of a point named fmr_1e-4 → 1e-4. */
const targetRate = (name: string): number => Number(name.slice('fmr_'.length));

/**
 * The calibration check named `operating-points`: thresholds measured with this very model;
 * at each point the measured false accept rate at or below the target and enough impostor
 * pairs to claim it (rule of three: 3/FMR pairs with none too many); a stricter point never
 * has a lower threshold; every point the gate needs present.
 */
function checkCalibration(dir: string, m: ReleaseModelManifest): string[] {
  const c = m.calibration;
  const model = m.models.find((x) => x.sha256 === c.modelSha256);
  if (!model) refuse('UPDATE_CALIBRATION', `the operating points were calibrated with model ${c.modelSha256.slice(0, 12)}…, which this release does not ship`);
  const p = join(dir, c.file);
  if (!existsSync(p)) refuse('UPDATE_CALIBRATION', `calibration file models/${c.file} is missing`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    refuse('UPDATE_CALIBRATION', `models/${c.file} does not parse: ${(e as Error).message}`);
  }
  const points = z.object({ operatingPoints: z.record(z.string().regex(/^fmr_\d(\.\d+)?e-\d+$/), operatingPoint) }).passthrough().safeParse(raw);
  if (!points.success) refuse('UPDATE_CALIBRATION', `models/${c.file}: ${points.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const ops = points.data!.operatingPoints;
  for (const need of c.requires) if (!ops[need]) refuse('UPDATE_CALIBRATION', `operating point ${need} the gate decides with is not calibrated`);
  const names = Object.keys(ops).sort((a, b) => targetRate(b) - targetRate(a));
  let prev: number | undefined;
  for (const name of names) {
    const op = ops[name]!;
    const target = targetRate(name);
    if (op.calibration.far > target) refuse('UPDATE_CALIBRATION', `${name}: measured false accept rate ${op.calibration.far} is above the target ${target}`);
    const needed = Math.ceil(3 / target);
    if (op.calibration.impostorPairs < needed) refuse('UPDATE_CALIBRATION', `${name}: ${op.calibration.impostorPairs} impostor pairs cannot show a rate of ${target} (at least ${needed})`);
    if (op.calibration.genuinePairs < 1) refuse('UPDATE_CALIBRATION', `${name}: no genuine pairs measured`);
    if (prev !== undefined && op.threshold < prev) refuse('UPDATE_CALIBRATION', `${name}: threshold ${op.threshold} is below that of a less strict point (${prev})`);
    prev = op.threshold;
  }
  return names;
}
