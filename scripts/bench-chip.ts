#!/usr/bin/env -S node --import tsx
/**
 * Face verification accuracy when the reference is a passport chip's photo.
 *
 *   node --import tsx scripts/bench-chip.ts --dir D --identities CSV [--format jpeg|jp2|both]
 *        [--bytes N] [--out DIR] [--write-operating-points]
 *
 * Every photo becomes a chip-style portrait the way DG2 holds it (ICAO-like 3:4 head and
 * shoulders around the detected face, at most 480×640, compressed to about N bytes), the
 * reference template is extracted from that portrait after decoding it the way the gate
 * decodes DG2, and it is scored against the full photos as live captures: every ordered
 * pair chip(i) × photo(j), i ≠ j (a photo against its own chip image is reported apart,
 * never counted as genuine: a gate never sees the passport photo's exposure again).
 * Prints a table per format and a JSON summary as the last stdout line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { loadConfig } from '../config/load.ts';
import { createFaceEngine, type FaceEngine, type RawFrame } from '../kiosk/biometrics/index.ts';
import { equalErrorRate, rateAtFar, type RatesAt } from '../kiosk/biometrics/metrics.ts';
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

/** Best setting whose output fits the budget (bisection; stops early within 10 % under it). */
async function fitBudget(encode: (s: number) => Promise<Buffer>, lo: number, hi: number, larger: 1 | -1, budget: number): Promise<{ bytes: Buffer; setting: number }> {
  let best: { bytes: Buffer; setting: number } | undefined;
  let a = lo, b = hi;
  while (a <= b) {
    const s = Math.floor((a + b) / 2);
    const bytes = await encode(s);
    if (bytes.length <= budget) {
      if (!best || bytes.length > best.bytes.length) best = { bytes, setting: s };
      if (bytes.length >= 0.9 * budget) break;
      if (larger === 1) a = s + 1; else b = s - 1;
    } else if (larger === 1) b = s - 1; else a = s + 1;
  }
  if (best) return best;
  const s = larger === 1 ? lo : hi;
  return { bytes: await encode(s), setting: s };
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
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', '-',
        '-c:v', 'jpeg2000', '-q:v', String(q), '-pred', '0', '-tile_width', String(width), '-tile_height', String(height), '-frames:v', '1', out], { input: rgb, stdio: ['pipe', 'ignore', 'pipe'] });
      return readFileSync(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The portrait decoded as the gate decodes DG2 (sharp for JPEG, OpenJPEG for JPEG 2000), as an RGB frame. */
export async function chipFrame(p: ChipPortrait): Promise<RawFrame> {
  const d = await decodeFace({ format: p.format, width: p.width, height: p.height, bytes: p.bytes });
  const data = d.channels === 3 ? d.pixels : await sharp(d.pixels, { raw: { width: d.width, height: d.height, channels: 1 } }).toColourspace('srgb').raw().toBuffer();
  return { width: d.width, height: d.height, channels: 3, data: new Uint8Array(data) };
}

// ---------------------------------------------------------------------------------------------

interface Opts { dir: string; identities: string; format: string; bytes: string; out?: string; writeOperatingPoints?: boolean }

const FARS = ['1e-2', '1e-3', '1e-4'] as const;
const OPERATING_POINTS = new URL('../config/operating-points.json', import.meta.url);
const dot = (a: Float32Array, b: Float32Array): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

interface Scores { genuine: number[]; impostor: number[] }

/** Ordered pairs i ≠ j; a missing template scores −∞ (a rejection, never dropped). */
function score(files: string[], ids: Map<string, string>, ref: Map<string, Float32Array>, live: Map<string, Float32Array>): Scores & { pairs: { i: string; j: string; same: boolean; s: number }[] } {
  const out: Scores & { pairs: { i: string; j: string; same: boolean; s: number }[] } = { genuine: [], impostor: [], pairs: [] };
  for (const i of files) for (const j of files) {
    if (i === j) continue;
    const a = ref.get(i), b = live.get(j);
    const s = a && b ? dot(a, b) : -Infinity;
    const same = ids.get(i) === ids.get(j);
    (same ? out.genuine : out.impostor).push(s);
    out.pairs.push({ i, j, same, s });
  }
  return out;
}

const rates = (s: Scores): Record<string, RatesAt> => Object.fromEntries(FARS.map((f) => [f, rateAtFar(s.genuine, s.impostor, Number(f))]));
const passRate = (xs: number[], t: number): number => xs.filter((x) => x >= t).length / Math.max(1, xs.length);

async function extractAll(engine: FaceEngine, o: Opts, files: string[], formats: ChipFormat[], out: string) {
  const full = new Map<string, Float32Array>();
  const chip = new Map<ChipFormat, Map<string, Float32Array>>(formats.map((f) => [f, new Map()]));
  const sizes = new Map<ChipFormat, { bytes: number; width: number; height: number; setting: number }[]>(formats.map((f) => [f, []]));
  const failed: { file: string; stage: string; code: string }[] = [];
  // One photo at a time: the engine runs one worker and ffmpeg one core, the machine is shared.
  for (const f of files) {
    const photo = new Uint8Array(readFileSync(join(o.dir, f)));
    let box: [number, number, number, number];
    try {
      const r = await engine.extractReference(photo);
      full.set(f, r.template);
      box = r.quality.box;
    } catch (err) {
      failed.push({ file: f, stage: 'full', code: errorCode(err) });
      for (const fmt of formats) failed.push({ file: f, stage: fmt, code: 'NO_SOURCE_FACE' });
      continue;
    }
    for (const fmt of formats) {
      try {
        const p = await chipPortrait(photo, box, { format: fmt, bytes: Number(o.bytes) });
        sizes.get(fmt)!.push({ bytes: p.bytes.length, width: p.width, height: p.height, setting: p.setting });
        writeFileSync(join(out, `${f.replace(/\.[^.]+$/, '')}.${fmt === 'jpeg' ? 'jpg' : 'jp2'}`), p.bytes);
        chip.get(fmt)!.set(f, (await engine.extractReference(await chipFrame(p))).template);
      } catch (err) {
        failed.push({ file: f, stage: fmt, code: errorCode(err) });
      }
    }
  }
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
  const out = o.out ?? mkdtempSync(join(tmpdir(), 'bench-chip-'));
  mkdirSync(out, { recursive: true });

  const engine = await createFaceEngine(loadConfig().face, { workers: 1 });
  const t0 = performance.now();
  let ex: Awaited<ReturnType<typeof extractAll>>;
  try {
    ex = await extractAll(engine, o, files, formats, out);
  } finally {
    await engine.close();
  }
  const base = score(files, ids, ex.full, ex.full);
  const baseRates = rates(base);
  const fullThresholds = { 'fmr_1e-3': baseRates['1e-3']!.threshold, 'fmr_1e-4': baseRates['1e-4']!.threshold };
  console.log(`photos ${files.length} (${new Set(ids.values()).size} identities), chip budget ${o.bytes} bytes, ${((performance.now() - t0) / 1000).toFixed(0)} s; chip images in ${out}`);
  console.log(`full-photo references: ${base.genuine.length} genuine / ${base.impostor.length} impostor ordered pairs, EER ${(equalErrorRate(base.genuine, base.impostor) * 100).toFixed(2)} %, thresholds ${FARS.map((f) => `${f} ${baseRates[f]!.threshold.toFixed(3)}`).join(', ')}`);

  const perFormat: Record<string, unknown> = {};
  const results = new Map<ChipFormat, { s: ReturnType<typeof score>; at: Record<string, RatesAt> }>();
  for (const fmt of formats) {
    const s = score(files, ids, ex.chip.get(fmt)!, ex.full);
    const at = rates(s);
    results.set(fmt, { s, at });
    const sz = ex.sizes.get(fmt)!;
    const fails = ex.failed.filter((f) => f.stage === fmt);
    // Shift: the same ordered pair scored with the chip reference minus with the full-photo reference.
    const shift = (same: boolean): number => mean(s.pairs.filter((p) => p.same === same && Number.isFinite(p.s)).map((p) => p.s - dot(ex.full.get(p.i)!, ex.full.get(p.j)!)));
    const self = files.filter((f) => ex.chip.get(fmt)!.has(f)).map((f) => dot(ex.chip.get(fmt)!.get(f)!, ex.full.get(f)!));
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
      max_impostor: r4(Math.max(...s.impostor)),
      min_genuine: r4(Math.min(...s.genuine)),
    };
    console.log(`\n${fmt}: ${sz.length} portraits ${Math.min(...sz.map((x) => x.width))}–${Math.max(...sz.map((x) => x.width))} px wide, ${Math.min(...bytes)}–${Math.max(...bytes)} bytes (mean ${Math.round(mean(bytes))}); failed extractions ${fails.length}${fails.length ? `: ${fails.map((f) => `${f.file} ${f.code}`).join(', ')}` : ''}`);
    console.log(`pairs ${s.genuine.length} genuine / ${s.impostor.length} impostor; EER ${(eer * 100).toFixed(2)} %; chip-vs-own-photo score mean ${mean(self).toFixed(3)} min ${Math.min(...self).toFixed(3)}`);
    console.log(`score shift vs full-photo reference: genuine ${shift(true).toFixed(3)}, impostor ${shift(false).toFixed(3)}`);
    console.log('target FAR | threshold | measured FAR | TAR    | full-photo threshold');
    for (const f of FARS) console.log(`${f.padEnd(10)} | ${at[f]!.threshold.toFixed(3).padStart(9)} | ${at[f]!.far.toFixed(5).padStart(12)} | ${at[f]!.tar.toFixed(4)} | ${baseRates[f]!.threshold.toFixed(3)}${at[f]!.unresolved ? ` (unresolved: ${s.impostor.length} impostor pairs, none may pass)` : ''}`);
    const worst = (same: boolean, dir: number): string => s.pairs.filter((p) => p.same === same).sort((p, q) => dir * (p.s - q.s)).slice(0, 3).map((p) => `chip ${p.i}~${p.j} ${p.s.toFixed(3)}`).join(', ');
    console.log(`lowest genuine: ${worst(true, 1)}\nhighest impostor: ${worst(false, -1)}`);
    for (const [k, t] of Object.entries(fullThresholds)) console.log(`at the full-photo ${k} threshold ${t.toFixed(3)}: TAR ${passRate(s.genuine, t).toFixed(4)}, FAR ${passRate(s.impostor, t).toFixed(5)}`);
  }

  const summary = {
    photos: files.length,
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
  const point = (f: '1e-3' | '1e-4') => {
    const threshold = Math.max(...formats.map((fmt) => results.get(fmt)!.at[f]!.threshold));
    const per = formats.map((fmt) => { const r = results.get(fmt)!; return `${fmt} ${r.at[f]!.threshold.toFixed(3)} (TAR ${passRate(r.s.genuine, threshold).toFixed(4)} at the written threshold)`; }).join(', ');
    const unresolved = formats.some((fmt) => results.get(fmt)!.at[f]!.unresolved);
    const maxImp = Math.max(...impostor.filter(Number.isFinite));
    return {
      threshold,
      calibration: {
        data, genuinePairs: genuine.length, impostorPairs: impostor.length, far: passRate(impostor, threshold), tar: passRate(genuine, threshold), date,
        note: `${unresolved ? `too few impostor pairs per format to resolve FAR ${f}: threshold is just above the highest impostor score (${maxImp.toFixed(3)}); ` : ''}strictest of the per-format thresholds: ${per}`,
      },
    };
  };
  const file = JSON.parse(readFileSync(OPERATING_POINTS, 'utf8')) as Record<string, unknown>;
  file.chipOperatingPoints = { 'fmr_1e-3': point('1e-3'), 'fmr_1e-4': point('1e-4') };
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
    .option('--write-operating-points', 'write chipOperatingPoints (fmr_1e-3, fmr_1e-4) into config/operating-points.json')
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
