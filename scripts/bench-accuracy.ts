#!/usr/bin/env -S node --import tsx
/**
 * Face verification accuracy on a folder of photos.
 *
 *   npm run bench-accuracy -- --dir D (--identities CSV | --id-sep C) [--pairs CSV] [--folds N]
 *        [--out DIR] [--workers N] [--no-cache] [--flip-sum] [--write-operating-points]
 *
 * Every image is enrolled once (extractReference; templates cached in var/face-cache/, keyed
 * by image bytes and engine digest), then all same-identity (genuine) and different-identity
 * (impostor) pairs are scored, or only the pairs of --pairs (file_x,file_y,decision =
 * same|different, optional 4th column fold). An image without a detected face scores −∞ in
 * every pair (a rejection). Metrics sort the scores once (n log n): a million pairs take seconds.
 * --folds N: N-fold accuracy (LFW protocol) over the pairs' fold column, or, without one, folds
 * dealt round-robin within genuine and within impostor pairs.
 * Writes accuracy.json, scores.csv (every pair) and det.svg into --out (default: a temp dir),
 * prints a table and a JSON summary as the last stdout line.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { EgateError } from '../kiosk/errors.ts';
import sharp from 'sharp';
import { createFaceEngine } from '../kiosk/biometrics/index.ts';
import { fuseTemplates } from '../kiosk/biometrics/fusion.ts';
import { detCurveThinned, equalErrorRate, foldAccuracy, rateAtFar, ratesAtThreshold, sortScores, type RatesAt } from '../kiosk/biometrics/metrics.ts';
import { detSvg } from './det-svg.ts';
import { bytesKey, extractAll, FaceCache } from './face-cache.ts';

interface Opts { dir: string; identities?: string; idSep?: string; pairs?: string; folds?: string; out?: string; workers: string; cache: boolean; flipSum?: boolean; writeOperatingPoints?: boolean }

export const FARS = ['1e-2', '1e-3', '1e-4', '1e-5'] as const;
const WRITTEN = ['1e-3', '1e-4', '1e-5'] as const;
const OPERATING_POINTS = new URL('../config/operating-points.json', import.meta.url);

function csv(path: string): string[][] {
  return readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim()).slice(1).map((l) => l.split(',').map((c) => c.trim()));
}

function labels(o: Opts): Map<string, string> {
  const m = new Map<string, string>();
  if (o.identities) {
    for (const [f, id] of csv(o.identities)) if (f && id) m.set(f, id);
  } else if (o.idSep) {
    for (const f of readdirSync(o.dir).sort()) if (/\.(jpe?g|png|webp|gif|tiff?|bmp|pgm)$/i.test(f)) m.set(f, f.split(o.idSep)[0]!);
  } else throw new EgateError('USAGE', 'give --identities CSV or --id-sep C');
  if (m.size < 2) throw new EgateError('USAGE', `fewer than two labelled images in ${o.dir}`);
  return m;
}

/** Pairs as parallel typed arrays: a million pair objects would cost more than scoring them. */
interface Pairs { a: Uint32Array; b: Uint32Array; same: Uint8Array; fold: Int16Array | null; score: Float64Array }

function buildPairs(o: Opts, files: string[], ids: Map<string, string>): Pairs {
  const index = new Map(files.map((f, i) => [f, i]));
  if (o.pairs) {
    const rows = csv(o.pairs);
    const p: Pairs = { a: new Uint32Array(rows.length), b: new Uint32Array(rows.length), same: new Uint8Array(rows.length), fold: rows.every((r) => r[3] !== undefined && r[3] !== '') ? new Int16Array(rows.length) : null, score: new Float64Array(rows.length) };
    rows.forEach(([x, y, d, f], i) => {
      const ia = index.get(x!), ib = index.get(y!);
      if (ia === undefined || ib === undefined) throw new EgateError('USAGE', `pair ${i + 2} of ${o.pairs} names an image without an identity: ${ia === undefined ? x : y}`);
      p.a[i] = ia; p.b[i] = ib; p.same[i] = d === 'same' ? 1 : 0;
      if (p.fold) p.fold[i] = Number(f);
    });
    return p;
  }
  const n = files.length, count = (n * (n - 1)) / 2;
  const p: Pairs = { a: new Uint32Array(count), b: new Uint32Array(count), same: new Uint8Array(count), fold: null, score: new Float64Array(count) };
  const id = files.map((f) => ids.get(f));
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++, k++) { p.a[k] = i; p.b[k] = j; p.same[k] = id[i] === id[j] ? 1 : 0; }
  return p;
}

/** Dot products of L2-normalised templates held in one n×512 matrix; a missing template scores −∞. */
function scorePairs(p: Pairs, templates: (Float32Array | null)[]): void {
  const dim = templates.find((t) => t)?.length ?? 512;
  const m = new Float32Array(templates.length * dim);
  templates.forEach((t, i) => t && m.set(t, i * dim));
  for (let k = 0; k < p.score.length; k++) {
    const a = p.a[k]!, b = p.b[k]!;
    if (!templates[a] || !templates[b]) { p.score[k] = -Infinity; continue; }
    let s = 0;
    for (let i = 0, oa = a * dim, ob = b * dim; i < dim; i++) s += m[oa + i]! * m[ob + i]!;
    p.score[k] = s;
  }
}

function writeScores(path: string, p: Pairs, files: string[]): void {
  writeFileSync(path, `file_x,file_y,decision,score${p.fold ? ',fold' : ''}\n`);
  const chunk: string[] = [];
  for (let k = 0; k < p.score.length; k++) {
    chunk.push(`${files[p.a[k]!]},${files[p.b[k]!]},${p.same[k] ? 'same' : 'different'},${Number.isFinite(p.score[k]!) ? p.score[k]!.toFixed(5) : '-inf'}${p.fold ? `,${p.fold[k]}` : ''}`);
    if (chunk.length === 100_000 || k === p.score.length - 1) { appendFileSync(path, `${chunk.join('\n')}\n`); chunk.length = 0; }
  }
}

const dataName = (dir: string): string => resolve(dir).replace(/\/+$/, '').replace(/^.*\/(shared\/)/, '$1');

async function run(o: Opts): Promise<void> {
  if (o.flipSum && o.writeOperatingPoints) throw new EgateError('USAGE', '--flip-sum measures another kind of template: the gate does not use it, so its thresholds must not be written');
  const ids = labels(o);
  const files = [...ids.keys()];
  const workers = Math.max(1, Number(o.workers));
  const config = loadConfig().face;
  const t0 = performance.now();
  const cache = o.cache ? new FaceCache('photos') : null;
  const engine = await createFaceEngine({ ...config, intraOpThreads: workers > 1 ? 1 : config.intraOpThreads }, { workers });
  let faces;
  try {
    faces = await extractAll(engine, cache, files, { label: 'templates', concurrency: workers * 2, key: async (f) => `${bytesKey(readFileSync(join(o.dir, f)))}:full`, load: async (f) => new Uint8Array(readFileSync(join(o.dir, f))) });
    if (o.flipSum) {
      // Flip-sum template: the face plus its mirror image, summed and normalised again.
      const mirrored = await extractAll(engine, cache, files, { label: 'mirror templates', concurrency: workers * 2, key: async (f) => `${bytesKey(readFileSync(join(o.dir, f)))}:mirror`, load: async (f) => new Uint8Array(await sharp(readFileSync(join(o.dir, f))).rotate().flop().png().toBuffer()) });
      for (const f of files) {
        const a = faces.get(f)!.template, b = mirrored.get(f)!.template;
        if (a && b) faces.set(f, { ...faces.get(f)!, template: fuseTemplates([{ template: a, weight: 1 }, { template: b, weight: 1 }]) });
      }
    }
  } finally {
    await engine.close();
  }
  const extractS = (performance.now() - t0) / 1000;
  const failed = files.filter((f) => !faces.get(f)!.template).map((f) => ({ file: f, code: faces.get(f)!.code ?? 'NO_FACE' }));

  const t1 = performance.now();
  const p = buildPairs(o, files, ids);
  scorePairs(p, files.map((f) => faces.get(f)!.template));
  const gen: number[] = [], imp: number[] = [];
  for (let k = 0; k < p.score.length; k++) (p.same[k] ? gen : imp).push(p.score[k]!);
  const sorted = sortScores(gen, imp);
  const at: Record<string, RatesAt> = Object.fromEntries(FARS.map((f) => [f, rateAtFar(sorted, undefined, Number(f))]));
  const eer = equalErrorRate(sorted);
  const det = detCurveThinned(sorted);
  let folds: ReturnType<typeof foldAccuracy> | null = null;
  if (o.folds) {
    const n = Number(o.folds);
    let fold = p.fold;
    if (!fold) {
      fold = new Int16Array(p.score.length);
      let g = 0, i = 0;
      for (let k = 0; k < fold.length; k++) fold[k] = p.same[k] ? g++ % n : i++ % n;
    }
    folds = foldAccuracy(p.score, p.same, fold);
  }
  const configured = Object.entries(config.operatingPoints).map(([name, op]) => ({ name, threshold: op.threshold, ...ratesAtThreshold(sorted, op.threshold) }));
  const metricsS = (performance.now() - t1) / 1000;

  const identities = new Set(ids.values()).size;
  console.log(`images ${files.length} (${identities} identities), failed detections ${failed.length}${failed.length ? `: ${failed.slice(0, 10).map((f) => `${f.file} ${f.code}`).join(', ')}${failed.length > 10 ? ', …' : ''}` : ''}`);
  console.log(`pairs: ${gen.length} genuine, ${imp.length} impostor; EER ${(eer * 100).toFixed(2)} %; templates ${extractS.toFixed(1)} s (${workers} worker(s), ${cache ? `cache ${cache.path}` : 'no cache'}), scoring and metrics ${metricsS.toFixed(1)} s; load ${loadavg()[0]!.toFixed(1)}`);
  if (folds) console.log(`${folds.folds.length}-fold accuracy ${(folds.mean * 100).toFixed(2)} % ± ${(folds.std * 100).toFixed(2)} (${p.fold ? 'folds of --pairs' : 'folds dealt round-robin'})`);
  console.log('target FAR | threshold | measured FAR | TAR    | note');
  for (const f of FARS) {
    const r = at[f]!;
    console.log(`${f.padEnd(10)} | ${r.threshold.toFixed(3).padStart(9)} | ${r.far.toExponential(2).padStart(12)} | ${r.tar.toFixed(4)} | ${r.unresolved ? `unresolved: ${imp.length} impostor pairs, none may pass` : `${Math.round(r.far * imp.length)} of ${imp.length} impostors pass`}`);
  }
  console.log('configured operating points (config/operating-points.json, photos):');
  for (const c of configured) console.log(`  ${c.name.padEnd(9)} threshold ${c.threshold.toFixed(3)}: measured FAR ${c.far.toExponential(2)} (${Math.round(c.far * imp.length)} of ${imp.length}), TAR ${c.tar.toFixed(4)} (${gen.length} genuine)`);
  const extreme = (same: number, n: number): string => {
    const idx: number[] = [];
    for (let k = 0; k < p.score.length; k++) if (p.same[k] === same) idx.push(k);
    idx.sort((x, y) => (same ? p.score[x]! - p.score[y]! : p.score[y]! - p.score[x]!));
    return idx.slice(0, n).map((k) => `${files[p.a[k]!]}~${files[p.b[k]!]} ${p.score[k]!.toFixed(3)}`).join(', ');
  };
  console.log(`lowest genuine: ${extreme(1, 3)}\nhighest impostor: ${extreme(0, 3)}`);

  const out = o.out ?? mkdtempSync(join(tmpdir(), 'bench-accuracy-'));
  mkdirSync(out, { recursive: true });
  const summary = {
    images: files.length,
    identities,
    failed_detections: failed.length,
    genuine_pairs: gen.length,
    impostor_pairs: imp.length,
    eer,
    tar_at_far: Object.fromEntries(FARS.map((f) => [f, at[f]!.tar])),
    thresholds: Object.fromEntries(FARS.map((f) => [f, at[f]!.threshold])),
    unresolved: FARS.filter((f) => at[f]!.unresolved),
    configured: Object.fromEntries(configured.map((c) => [c.name, { threshold: c.threshold, far: c.far, tar: c.tar }])),
    ...(folds ? { fold_accuracy: { mean: folds.mean, std: folds.std, folds: folds.folds.length } } : {}),
    seconds: { templates: Math.round(extractS * 10) / 10, metrics: Math.round(metricsS * 10) / 10 },
    load: Math.round(loadavg()[0]! * 10) / 10,
  };
  writeFileSync(join(out, 'accuracy.json'), JSON.stringify({ ...summary, dir: o.dir, failed, rates: at, folds, det }, null, 1));
  writeScores(join(out, 'scores.csv'), p, files);
  const marks = [...FARS.filter((f) => !at[f]!.unresolved).map((f) => ({ label: `FAR ${f}`, far: at[f]!.far, frr: 1 - at[f]!.tar, threshold: at[f]!.threshold })),
    ...configured.map((c) => ({ label: `config ${c.name}`, far: c.far, frr: 1 - c.tar, threshold: c.threshold }))];
  writeFileSync(join(out, 'det.svg'), detSvg([{ name: basename(o.dir), points: det }], marks, { title: `${dataName(o.dir)}, ${files.length} images`, genuinePairs: gen.length, impostorPairs: imp.length }));
  console.log(`report: ${join(out, 'accuracy.json')}, per-pair scores: ${join(out, 'scores.csv')}, DET curve: ${join(out, 'det.svg')}`);

  if (o.writeOperatingPoints) {
    const date = new Date().toISOString().slice(0, 10);
    const data = `${dataName(o.dir)}: ${files.length} images, ${identities} identities, ${o.pairs ? `pairs of ${basename(o.pairs)}` : 'all pairs'}; ${failed.length} failed detections`;
    const point = (f: typeof WRITTEN[number]) => ({
      threshold: at[f]!.threshold,
      calibration: {
        data, genuinePairs: gen.length, impostorPairs: imp.length, far: at[f]!.far, tar: at[f]!.tar, date,
        note: at[f]!.unresolved
          ? `too few impostor pairs to resolve FAR ${f}: threshold is just above the highest impostor score (${sorted.impostor[0]!.toFixed(3)})`
          : `threshold just above the impostor score ranked ${Math.floor(Number(f) * imp.length) + 1} of ${imp.length}; ${Math.round(at[f]!.far * imp.length)} impostor pairs pass`,
      },
    });
    // Only the full-photo points are ours to rewrite; keep the rest (chipOperatingPoints from bench-chip).
    const file = { ...JSON.parse(readFileSync(OPERATING_POINTS, 'utf8')), operatingPoints: Object.fromEntries(WRITTEN.map((f) => [`fmr_${f}`, point(f)])) };
    writeFileSync(OPERATING_POINTS, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`wrote ${OPERATING_POINTS.pathname}`);
  }
  console.log(JSON.stringify(summary));
}

new Command('bench-accuracy')
  .requiredOption('--dir <dir>', 'folder of photos')
  .option('--identities <csv>', 'file,identity CSV')
  .option('--id-sep <c>', 'identity = file name up to the first C')
  .option('--pairs <csv>', 'only these pairs: file_x,file_y,decision (same|different)[,fold]')
  .option('--folds <n>', 'n-fold accuracy (LFW protocol) over the fold column of --pairs, else folds dealt round-robin')
  .option('--out <dir>', 'where accuracy.json, scores.csv and det.svg go')
  .option('--workers <n>', 'face worker threads', '1')
  .option('--flip-sum', 'template = the face plus its mirror image (measures flip-sum templates)')
  .option('--no-cache', 'extract every template again instead of reusing var/face-cache/')
  .option('--write-operating-points', 'rewrite the full-photo operating points (fmr_1e-3, fmr_1e-4, fmr_1e-5) in config/operating-points.json from this run')
  .action(async (o: Opts) => {
    try {
      await run(o);
    } catch (err) {
      console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    }
  })
  .parseAsync();
