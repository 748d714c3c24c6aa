#!/usr/bin/env -S node --import tsx
/**
 * Face verification accuracy when the reference is a passport chip's photo.
 *
 *   node --import tsx scripts/bench-chip.ts --dir D --identities CSV [--format jpeg|jp2|both]
 *        [--bytes N] [--out DIR] [--workers N] [--no-cache] [--write-operating-points]
 *
 * Every photo becomes a chip-style portrait the way DG2 holds it (ICAO-like 3:4 head and
 * shoulders around the detected face, at most 480×640, compressed to about N bytes), the
 * reference template is extracted from that portrait after decoding it the way the gate
 * decodes DG2, and it is scored against the full photos as live captures: every ordered
 * pair chip(i) × photo(j), i ≠ j (a photo against its own chip image is reported apart,
 * never counted as genuine: a gate never sees the passport photo's exposure again).
 * Prints a table per format and a JSON summary as the last stdout line.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { loadConfig } from '../config/load.ts';
import { createFaceEngine, type FaceEngine, type RawFrame } from '../kiosk/biometrics/index.ts';
import { equalErrorRate, rateAtFar, sortScores, type RatesAt } from '../kiosk/biometrics/metrics.ts';
import { bytesKey, FaceCache, withProgress } from './face-cache.ts';
import { EgateError, errorCode } from '../kiosk/errors.ts';
import { decodeFace } from '../kiosk/passport/face-decode.ts';

export type ChipFormat = 'jpeg' | 'jp2';

/** A chip-style face image: what DG2 would carry. `setting` is the JPEG quality or JP2 -q:v used. */
export interface ChipPortrait {
  format: ChipFormat;
  bytes: Buffer;
  width: number;
  height: number;
  setting: number;
}

const BACKGROUND = { r: 222, g: 222, b: 218 };

/**
 * ICAO-like portrait from a photo and its detected face box (pixels after EXIF orientation):
 * the box is half the portrait's width, its centre 45 % down a 3:4 frame, which leaves the
 * crown above and the shoulders below. Where the frame leaves the photo it is filled with a
 * plain light background, as a passport photo's would be. Never upscaled past the crop.
 */
export async function chipPortrait(photo: Uint8Array, box: readonly [number, number, number, number], opts: { format: ChipFormat; bytes: number; maxWidth?: number }): Promise<ChipPortrait> {
  const [x1, y1, x2, y2] = box;
  const cropW = Math.round((x2 - x1) / 0.5);
  const cropH = Math.round((cropW * 4) / 3);
  const left = Math.round((x1 + x2) / 2 - cropW / 2);
  const top = Math.round((y1 + y2) / 2 - 0.45 * cropH);
  const upright = await sharp(photo).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width: W, height: H, channels } = upright.info;
  if (channels !== 3) throw new EgateError('IMAGE_UNSUPPORTED', `photo decodes to ${channels} channels, not RGB`);
  const pad = { left: Math.max(0, -left), top: Math.max(0, -top), right: Math.max(0, left + cropW - W), bottom: Math.max(0, top + cropH - H) };
  const padded = await sharp(upright.data, { raw: { width: W, height: H, channels: 3 } }).extend({ ...pad, background: BACKGROUND }).raw().toBuffer();
  const width = Math.min(opts.maxWidth ?? 480, cropW);
  const height = Math.round((width * 4) / 3);
  const rgb = await sharp(padded, { raw: { width: W + pad.left + pad.right, height: H + pad.top + pad.bottom, channels: 3 } })
    .extract({ left: left + pad.left, top: top + pad.top, width: cropW, height: cropH })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const encode = opts.format === 'jpeg'
    ? (q: number) => sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: q }).toBuffer()
    : jp2Encoder(rgb, width, height);
  // JPEG: quality 1..100, bigger is larger. JP2 (ffmpeg's quantiser, as make-passport uses it): 1..1024, bigger is smaller.
  const [lo, hi, larger]: [number, number, 1 | -1] = opts.format === 'jpeg' ? [1, 100, 1] : [1, 1024, -1];
  const { bytes, setting } = await fitBudget(encode, lo, hi, larger, opts.bytes);
  return { format: opts.format, bytes, width, height, setting };
}

/**
 * Best setting whose output fits the budget: the finest if it fits; else steps away from the
 * finest by doubling until one fits, then bisects between the last two, stopping early within
 * 10 % under the budget. Chip-size portraits fit near the finest setting (LFW chips as JP2: -q:v
 * 1–4), so this takes 2–4 encodes where bisecting all of 1..1024 took ten; each JP2 encode is an
 * ffmpeg process (0.3 s at load 11), which made 1,549 chips take over an hour.
 */
async function fitBudget(encode: (s: number) => Promise<Buffer>, lo: number, hi: number, larger: 1 | -1, budget: number): Promise<{ bytes: Buffer; setting: number }> {
  // Settings counted as distance from the finest: d = 0 is the finest, bigger d is smaller output.
  const finestSetting = larger === 1 ? hi : lo;
  const at = (d: number): number => (larger === 1 ? hi - d : lo + d);
  const maxD = hi - lo;
  const finest = await encode(finestSetting);
  if (finest.length <= budget) return { bytes: finest, setting: finestSetting };
  let tooBig = 0, d = 1;
  let fits: { bytes: Buffer; setting: number; d: number } | undefined;
  while (!fits) {
    const bytes = await encode(at(d));
    if (bytes.length <= budget) fits = { bytes, setting: at(d), d };
    else if (d === maxD) return { bytes, setting: at(d) };
    else { tooBig = d; d = Math.min(maxD, d * 2); }
  }
  let a = tooBig + 1, b = fits.d - 1;
  while (a <= b && fits.bytes.length < 0.9 * budget) {
    const m = Math.floor((a + b) / 2);
    const bytes = await encode(at(m));
    if (bytes.length <= budget) { if (bytes.length > fits.bytes.length) fits = { bytes, setting: at(m), d: m }; b = m - 1; } else a = m + 1;
  }
  return { bytes: fits.bytes, setting: fits.setting };
}

/**
 * JPEG 2000 through ffmpeg's encoder with make-passport's settings (9/7 wavelet), one quantiser
 * per call, but one tile for the whole image: ffmpeg's default 256-px tiles leave seams across
 * the face at chip budgets, which a passport's single-tile image does not have.
 */
function jp2Encoder(rgb: Buffer, width: number, height: number): (q: number) => Promise<Buffer> {
  return async (q) => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-chip-'));
    try {
      const out = join(dir, 'face.jp2');
      await ffmpeg( ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', '-',
        '-c:v', 'jpeg2000', '-q:v', String(q), '-pred', '0', '-tile_width', String(width), '-tile_height', String(height), '-frames:v', '1', out], rgb);
      return readFileSync(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** ffmpeg fed on stdin, without blocking the event loop (several portraits are made at once). */
function ffmpeg(args: string[], input: Buffer): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = execFile('ffmpeg', args, { maxBuffer: 1 << 20 }, (err, _out, stderr) => (err ? reject(new Error(`ffmpeg: ${String(stderr).trim() || err.message}`)) : resolveRun()));
    child.stdin?.end(input);
  });
}

/** The portrait decoded as the gate decodes DG2 (sharp for JPEG, OpenJPEG for JPEG 2000), as an RGB frame. */
export async function chipFrame(p: ChipPortrait): Promise<RawFrame> {
  const d = await decodeFace({ format: p.format, width: p.width, height: p.height, bytes: p.bytes });
  const data = d.channels === 3 ? d.pixels : await sharp(d.pixels, { raw: { width: d.width, height: d.height, channels: 1 } }).toColourspace('srgb').raw().toBuffer();
  return { width: d.width, height: d.height, channels: 3, data: new Uint8Array(data) };
}

// ---------------------------------------------------------------------------------------------

interface Opts { dir: string; identities: string; format: string; bytes: string; out?: string; workers: string; cache: boolean; writeOperatingPoints?: boolean; chips?: string }

const FARS = ['1e-2', '1e-3', '1e-4', '1e-5'] as const;
const WRITTEN = ['1e-3', '1e-4', '1e-5'] as const;
const OPERATING_POINTS = new URL('../config/operating-points.json', import.meta.url);
const dot = (a: Float32Array, b: Float32Array): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
/** Bump when chipPortrait changes what it makes: cached chip templates then no longer apply. */
const CHIP_RECIPE = 'v3';

interface Extreme { i: string; j: string; s: number }
interface Scores { genuine: number[]; impostor: number[]; shiftGenuine: number; shiftImpostor: number; lowGenuine: Extreme[]; highImpostor: Extreme[] }

/** Keeps the `n` most extreme pairs (smallest when `low`) without sorting millions of them. */
function keep(list: Extreme[], e: Extreme, low: boolean, n = 3): void {
  if (list.length === n && (low ? e.s >= list[n - 1]!.s : e.s <= list[n - 1]!.s)) return;
  list.push(e);
  list.sort((a, b) => (low ? a.s - b.s : b.s - a.s));
  if (list.length > n) list.pop();
}

/**
 * Ordered pairs i ≠ j; a missing template scores −∞ (a rejection, never dropped). The shift is
 * the same pair scored with the chip reference minus with the full-photo reference.
 */
function score(files: string[], ids: Map<string, string>, ref: Map<string, Float32Array>, live: Map<string, Float32Array>, base?: Map<string, Float32Array>, refFiles: string[] = files): Scores {
  const out: Scores = { genuine: [], impostor: [], shiftGenuine: 0, shiftImpostor: 0, lowGenuine: [], highImpostor: [] };
  let sg = 0, ng = 0, si = 0, ni = 0;
  for (const i of refFiles) for (const j of files) {
    if (i === j) continue;
    const a = ref.get(i), b = live.get(j);
    const s = a && b ? dot(a, b) : -Infinity;
    const same = ids.get(i) === ids.get(j);
    (same ? out.genuine : out.impostor).push(s);
    keep(same ? out.lowGenuine : out.highImpostor, { i, j, s }, same);
    const fa = base?.get(i);
    if (fa && b && Number.isFinite(s)) {
      const d = s - dot(fa, b);
      if (same) { sg += d; ng++; } else { si += d; ni++; }
    }
  }
  out.shiftGenuine = sg / Math.max(1, ng);
  out.shiftImpostor = si / Math.max(1, ni);
  return out;
}

const rates = (s: Scores): Record<string, RatesAt> => {
  const sorted = sortScores(s.genuine, s.impostor);
  return Object.fromEntries(FARS.map((f) => [f, rateAtFar(sorted, undefined, Number(f))]));
};
const passRate = (xs: number[], t: number): number => { let n = 0; for (const x of xs) if (x >= t) n++; return n / Math.max(1, xs.length); };

interface Size { bytes: number; width: number; height: number; setting: number }

/**
 * Full-photo templates (shared with bench-accuracy's cache) and chip-portrait templates per
 * format, each image through the networks once; `workers` photos in flight.
 */
async function extractAll(engine: FaceEngine, o: Opts, files: string[], formats: ChipFormat[], out: string, chipFiles: Set<string>) {
  const full = new Map<string, Float32Array>();
  const chip = new Map<ChipFormat, Map<string, Float32Array>>(formats.map((f) => [f, new Map()]));
  const sizes = new Map<ChipFormat, Size[]>(formats.map((f) => [f, []]));
  const failed: { file: string; stage: string; code: string }[] = [];
  const photos = o.cache ? new FaceCache('photos') : null;
  const chips = o.cache ? new FaceCache('chips') : null;
  await withProgress('photos and chip portraits', files, Math.max(1, Number(o.workers)), async (f) => {
    const photo = new Uint8Array(readFileSync(join(o.dir, f)));
    const key = bytesKey(photo);
    let face = photos?.get(`${key}:full`);
    if (!face) {
      try {
        const r = await engine.extractReference(photo);
        face = { template: r.template, box: r.quality.box };
      } catch (err) {
        face = { template: null, box: null, code: errorCode(err) };
      }
      photos?.set(`${key}:full`, face);
    }
    if (!face.template || !face.box) {
      failed.push({ file: f, stage: 'full', code: face.code ?? 'NO_FACE' });
      for (const fmt of formats) failed.push({ file: f, stage: fmt, code: 'NO_SOURCE_FACE' });
      return;
    }
    full.set(f, face.template);
    if (!chipFiles.has(f)) return;
    for (const fmt of formats) {
      const ckey = `${key}:chip-${fmt}-${o.bytes}-${CHIP_RECIPE}`;
      let c = chips?.get(ckey);
      if (!c) {
        try {
          const p = await chipPortrait(photo, face.box, { format: fmt, bytes: Number(o.bytes) });
          writeFileSync(join(out, `${f.replace(/\.[^.]+$/, '')}.${fmt === 'jpeg' ? 'jpg' : 'jp2'}`), p.bytes);
          const size = { bytes: p.bytes.length, width: p.width, height: p.height, setting: p.setting };
          try {
            const r = await engine.extractReference(await chipFrame(p));
            c = { template: r.template, box: r.quality.box, extra: size };
          } catch (err) {
            c = { template: null, box: null, code: errorCode(err), extra: size };
          }
        } catch (err) {
          c = { template: null, box: null, code: errorCode(err) };
        }
        chips?.set(ckey, c);
      }
      if (c.extra) sizes.get(fmt)!.push(c.extra as unknown as Size);
      if (c.template) chip.get(fmt)!.set(f, c.template);
      else failed.push({ file: f, stage: fmt, code: c.code ?? 'NO_FACE' });
    }
  });
  photos?.save();
  chips?.save();
  return { full, chip, sizes, failed };
}

async function run(o: Opts): Promise<void> {
  const formats: ChipFormat[] = o.format === 'both' ? ['jpeg', 'jp2'] : o.format === 'jpeg' || o.format === 'jp2' ? [o.format] : [];
  if (!formats.length) throw new EgateError('USAGE', '--format must be jpeg, jp2 or both');
  if (!(Number(o.bytes) >= 2000)) throw new EgateError('USAGE', '--bytes must be a number of at least 2000');
  const ids = new Map<string, string>();
  for (const l of readFileSync(o.identities, 'utf8').split(/\r?\n/).slice(1)) {
    const [f, id] = l.split(',').map((c) => c.trim());
    if (f && id) ids.set(f, id);
  }
  if (ids.size < 2) throw new EgateError('USAGE', `fewer than two labelled images in ${o.identities}`);
  const files = [...ids.keys()];
  const limit = o.chips === undefined ? files.length : Number(o.chips);
  if (!(Number.isInteger(limit) && limit >= 2)) throw new EgateError('USAGE', '--chips must be a whole number of at least 2');
  if (limit < files.length && o.writeOperatingPoints) throw new EgateError('USAGE', '--chips N is a check on part of the data: operating points are written only from all photos');
  const refFiles = files.slice(0, limit);
  const out = o.out ?? mkdtempSync(join(tmpdir(), 'bench-chip-'));
  mkdirSync(out, { recursive: true });

  const workers = Math.max(1, Number(o.workers));
  const config = loadConfig().face;
  const engine = await createFaceEngine({ ...config, intraOpThreads: workers > 1 ? 1 : config.intraOpThreads }, { workers });
  const t0 = performance.now();
  let ex: Awaited<ReturnType<typeof extractAll>>;
  try {
    ex = await extractAll(engine, o, files, formats, out, new Set(refFiles));
  } finally {
    await engine.close();
  }
  const base = score(files, ids, ex.full, ex.full);
  const baseRates = rates(base);
  const fullThresholds = Object.fromEntries(WRITTEN.map((f) => [`fmr_${f}`, baseRates[f]!.threshold]));
  const configured = config.chipOperatingPoints ?? {};
  console.log(`photos ${files.length} (${new Set(ids.values()).size} identities), chip references ${refFiles.length}${refFiles.length < files.length ? ' (first of the list: --chips)' : ''}, chip budget ${o.bytes} bytes, ${((performance.now() - t0) / 1000).toFixed(0)} s; chip images in ${out}`);
  console.log(`full-photo references: ${base.genuine.length} genuine / ${base.impostor.length} impostor ordered pairs, EER ${(equalErrorRate(base.genuine, base.impostor) * 100).toFixed(2)} %, thresholds ${FARS.map((f) => `${f} ${baseRates[f]!.threshold.toFixed(3)}`).join(', ')}`);

  const perFormat: Record<string, unknown> = {};
  const results = new Map<ChipFormat, { s: ReturnType<typeof score>; at: Record<string, RatesAt> }>();
  for (const fmt of formats) {
    const s = score(files, ids, ex.chip.get(fmt)!, ex.full, ex.full, refFiles);
    const at = rates(s);
    results.set(fmt, { s, at });
    const sz = ex.sizes.get(fmt)!;
    const fails = ex.failed.filter((f) => f.stage === fmt);
    const shift = (same: boolean): number => (same ? s.shiftGenuine : s.shiftImpostor);
    const finite = (xs: number[], pick: (a: number, b: number) => number): number => xs.reduce((m, x) => (Number.isFinite(x) ? pick(m, x) : m), NaN);
    const self = refFiles.filter((f) => ex.chip.get(fmt)!.has(f)).map((f) => dot(ex.chip.get(fmt)!.get(f)!, ex.full.get(f)!));
    const eer = equalErrorRate(s.genuine, s.impostor);
    const bytes = sz.map((x) => x.bytes);
    perFormat[fmt] = {
      failed_extractions: fails.length,
      bytes: { mean: Math.round(mean(bytes)), min: Math.min(...bytes), max: Math.max(...bytes) },
      width: { min: Math.min(...sz.map((x) => x.width)), max: Math.max(...sz.map((x) => x.width)) },
      setting: { min: Math.min(...sz.map((x) => x.setting)), max: Math.max(...sz.map((x) => x.setting)) },
      genuine_pairs: s.genuine.length,
      impostor_pairs: s.impostor.length,
      eer: r4(eer),
      tar_at_far: Object.fromEntries(FARS.map((f) => [f, r4(at[f]!.tar)])),
      far_measured: Object.fromEntries(FARS.map((f) => [f, r4(at[f]!.far)])),
      thresholds: Object.fromEntries(FARS.map((f) => [f, at[f]!.threshold])),
      unresolved: FARS.filter((f) => at[f]!.unresolved),
      shift_vs_full: { genuine_mean: r4(shift(true)), impostor_mean: r4(shift(false)) },
      at_full_thresholds: Object.fromEntries(Object.entries(fullThresholds).map(([k, t]) => [k, { threshold: t, tar: r4(passRate(s.genuine, t)), far: r4(passRate(s.impostor, t)) }])),
      self_score: { mean: r4(mean(self)), min: r4(Math.min(...self)) },
      max_impostor: r4(s.highImpostor[0]?.s ?? NaN),
      min_genuine: r4(finite(s.genuine, (a, b) => (Number.isNaN(a) || b < a ? b : a))),
      at_configured: Object.fromEntries(Object.entries(configured).map(([k, op]) => [k, { threshold: op.threshold, tar: r4(passRate(s.genuine, op.threshold)), far: passRate(s.impostor, op.threshold), impostors_passing: Math.round(passRate(s.impostor, op.threshold) * s.impostor.length) }])),
    };
    console.log(`\n${fmt}: ${sz.length} portraits ${Math.min(...sz.map((x) => x.width))}–${Math.max(...sz.map((x) => x.width))} px wide, ${Math.min(...bytes)}–${Math.max(...bytes)} bytes (mean ${Math.round(mean(bytes))}); failed extractions ${fails.length}${fails.length ? `: ${fails.map((f) => `${f.file} ${f.code}`).join(', ')}` : ''}`);
    console.log(`pairs ${s.genuine.length} genuine / ${s.impostor.length} impostor; EER ${(eer * 100).toFixed(2)} %; chip-vs-own-photo score mean ${mean(self).toFixed(3)} min ${Math.min(...self).toFixed(3)}`);
    console.log(`score shift vs full-photo reference: genuine ${shift(true).toFixed(3)}, impostor ${shift(false).toFixed(3)}`);
    console.log('target FAR | threshold | measured FAR | TAR    | full-photo threshold');
    for (const f of FARS) console.log(`${f.padEnd(10)} | ${at[f]!.threshold.toFixed(3).padStart(9)} | ${at[f]!.far.toExponential(2).padStart(12)} | ${at[f]!.tar.toFixed(4)} | ${baseRates[f]!.threshold.toFixed(3)}${at[f]!.unresolved ? ` (unresolved: ${s.impostor.length} impostor pairs, none may pass)` : ''}`);
    const worst = (list: Extreme[]): string => list.map((p) => `chip ${p.i}~${p.j} ${p.s.toFixed(3)}`).join(', ');
    console.log(`lowest genuine: ${worst(s.lowGenuine)}\nhighest impostor: ${worst(s.highImpostor)}`);
    for (const [k, t] of Object.entries(fullThresholds)) console.log(`at the full-photo ${k} threshold ${t.toFixed(3)}: TAR ${passRate(s.genuine, t).toFixed(4)}, FAR ${passRate(s.impostor, t).toExponential(2)}`);
    for (const [k, op] of Object.entries(configured)) console.log(`at the configured chip ${k} threshold ${op.threshold.toFixed(3)}: TAR ${passRate(s.genuine, op.threshold).toFixed(4)}, FAR ${passRate(s.impostor, op.threshold).toExponential(2)} (${Math.round(passRate(s.impostor, op.threshold) * s.impostor.length)} of ${s.impostor.length})`);
  }

  const summary = {
    photos: files.length,
    chip_references: refFiles.length,
    identities: new Set(ids.values()).size,
    budget_bytes: Number(o.bytes),
    failed_full: ex.failed.filter((f) => f.stage === 'full').length,
    full: { genuine_pairs: base.genuine.length, impostor_pairs: base.impostor.length, eer: r4(equalErrorRate(base.genuine, base.impostor)), thresholds: Object.fromEntries(FARS.map((f) => [f, baseRates[f]!.threshold])), tar_at_far: Object.fromEntries(FARS.map((f) => [f, r4(baseRates[f]!.tar)])) },
    formats: perFormat,
  };
  writeFileSync(join(out, 'chip-accuracy.json'), JSON.stringify({ ...summary, failed: ex.failed, sizes: Object.fromEntries(ex.sizes) }, null, 1));
  if (o.writeOperatingPoints) writeChipPoints(o, files.length, ids, formats, results, ex.failed.length);
  console.log(JSON.stringify(summary));
}

/**
 * chipOperatingPoints beside operatingPoints, everything else in the file kept. With several
 * formats the threshold is the strictest of the per-format ones (each format alone meets the
 * target) and the rates are measured on all formats' pairs together at that threshold.
 */
function writeChipPoints(o: Opts, photos: number, ids: Map<string, string>, formats: ChipFormat[], results: Map<ChipFormat, { s: Scores; at: Record<string, RatesAt> }>, failed: number): void {
  const date = new Date().toISOString().slice(0, 10);
  const dir = resolve(o.dir).replace(/\/+$/, '').replace(/^.*\/(shared\/)/, '$1');
  const data = `${dir}: ${photos} photos, ${new Set(ids.values()).size} identities; chip-style ${formats.join(' and ')} portraits (≤480×640, ≤${o.bytes} bytes) as references against the full photos as live captures, all ordered pairs except a photo against its own portrait; ${failed} failed extractions`;
  const genuine = formats.flatMap((f) => results.get(f)!.s.genuine);
  const impostor = formats.flatMap((f) => results.get(f)!.s.impostor);
  const point = (f: typeof WRITTEN[number]) => {
    const threshold = Math.max(...formats.map((fmt) => results.get(fmt)!.at[f]!.threshold));
    const per = formats.map((fmt) => { const r = results.get(fmt)!; return `${fmt} ${r.at[f]!.threshold.toFixed(3)} (TAR ${passRate(r.s.genuine, threshold).toFixed(4)} at the written threshold)`; }).join(', ');
    const unresolved = formats.some((fmt) => results.get(fmt)!.at[f]!.unresolved);
    const maxImp = Math.max(...formats.map((fmt) => results.get(fmt)!.s.highImpostor[0]?.s ?? -Infinity));
    return {
      threshold,
      calibration: {
        data, genuinePairs: genuine.length, impostorPairs: impostor.length, far: passRate(impostor, threshold), tar: passRate(genuine, threshold), date,
        note: `${unresolved ? `too few impostor pairs per format to resolve FAR ${f}: threshold is just above the highest impostor score (${maxImp.toFixed(3)}); ` : ''}strictest of the per-format thresholds: ${per}; ${Math.round(passRate(impostor, threshold) * impostor.length)} of ${impostor.length} impostor pairs pass`,
      },
    };
  };
  const file = JSON.parse(readFileSync(OPERATING_POINTS, 'utf8')) as Record<string, unknown>;
  file.chipOperatingPoints = Object.fromEntries(WRITTEN.map((f) => [`fmr_${f}`, point(f)]));
  writeFileSync(OPERATING_POINTS, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`wrote chipOperatingPoints to ${OPERATING_POINTS.pathname}`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  await new Command('bench-chip')
    .requiredOption('--dir <dir>', 'folder of photos')
    .requiredOption('--identities <csv>', 'file,identity CSV')
    .option('--format <f>', 'chip image format: jpeg, jp2 or both', 'both')
    .option('--bytes <n>', 'byte budget of one chip image (DG2 faces are about 15–20 KB)', '18000')
    .option('--out <dir>', 'where the chip images and chip-accuracy.json go (default: a temp dir)')
    .option('--workers <n>', 'face worker threads (photos in flight)', '1')
    .option('--chips <n>', 'only the first N photos (file order of --identities) become chip references; every photo stays a live capture. For a check at the configured points when making all chips takes too long; never with --write-operating-points')
    .option('--no-cache', 'extract every template again instead of reusing var/face-cache/')
    .option('--write-operating-points', 'write chipOperatingPoints (fmr_1e-3, fmr_1e-4, fmr_1e-5) into config/operating-points.json')
    .action(async (o: Opts) => {
      try {
        await run(o);
      } catch (err) {
        console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 2;
      }
    })
    .parseAsync();
}
