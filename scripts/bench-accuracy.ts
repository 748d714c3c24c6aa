#!/usr/bin/env -S node --import tsx
/**
 * Face verification accuracy on a folder of photos.
 *
 *   npm run bench-accuracy -- --dir D (--identities CSV | --id-sep C) [--pairs CSV]
 *        [--out DIR] [--workers N] [--write-operating-points]
 *
 * Every image is enrolled once (extractReference); all same-identity (genuine) and
 * different-identity (impostor) pairs are scored, or only the pairs of --pairs
 * (file_x,file_y,decision = same|different). An image without a detected face scores
 * −∞ in every pair (a rejection). Prints a table, writes accuracy.json and det.svg into
 * --out (default: a temp dir), and prints a JSON summary as the last stdout line.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { EgateError, errorCode } from '../kiosk/errors.ts';
import { createFaceEngine } from '../kiosk/biometrics/index.ts';
import { detCurve, equalErrorRate, rateAtFar } from '../kiosk/biometrics/metrics.ts';

interface Opts { dir: string; identities?: string; idSep?: string; pairs?: string; out?: string; workers: string; writeOperatingPoints?: boolean }

const FARS = ['1e-2', '1e-3', '1e-4'] as const;
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

function detSvg(points: { far: number; frr: number }[], title: string): string {
  const W = 480, H = 360, L = 60, B = 40, lo = -4;
  const x = (far: number): number => L + ((Math.log10(Math.max(far, 1e-4)) - lo) / -lo) * (W - L - 20);
  const y = (frr: number): number => H - B - ((Math.log10(Math.max(frr, 1e-4)) - lo) / -lo) * (H - B - 30);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.far).toFixed(1)},${y(p.frr).toFixed(1)}`).join(' ');
  const ticks = [-4, -3, -2, -1, 0].map((e) => `<text x="${x(10 ** e)}" y="${H - B + 16}" text-anchor="middle">1e${e}</text><text x="${L - 6}" y="${y(10 ** e) + 4}" text-anchor="end">1e${e}</text><line x1="${x(10 ** e)}" y1="30" x2="${x(10 ** e)}" y2="${H - B}" stroke="#ddd"/><line x1="${L}" y1="${y(10 ** e)}" x2="${W - 20}" y2="${y(10 ** e)}" stroke="#ddd"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">DET: ${title}</text>${ticks}
<text x="${(L + W) / 2}" y="${H - 6}" text-anchor="middle">false accept rate (log, floored at 1e-4)</text>
<text transform="translate(14,${(H - B) / 2}) rotate(-90)" text-anchor="middle">false reject rate (log, floored at 1e-4)</text>
<path d="${path}" fill="none" stroke="#c00" stroke-width="2"/></svg>\n`;
}

async function run(o: Opts): Promise<void> {
  const ids = labels(o);
  const files = [...ids.keys()];
  const engine = await createFaceEngine(loadConfig().face, { workers: Number(o.workers) });
  const templates = new Map<string, Float32Array>();
  const failed: { file: string; code: string }[] = [];
  const t0 = performance.now();
  try {
    await Promise.all(files.map(async (f) => {
      try {
        templates.set(f, (await engine.extractReference(new Uint8Array(readFileSync(join(o.dir, f))))).template);
      } catch (err) {
        failed.push({ file: f, code: errorCode(err) });
      }
    }));
  } finally {
    await engine.close();
  }
  const msPerImage = (performance.now() - t0) / files.length;

  const pairs: [string, string, boolean][] = [];
  if (o.pairs) for (const [a, b, d] of csv(o.pairs)) pairs.push([a!, b!, d === 'same']);
  else for (let i = 0; i < files.length; i++) for (let j = i + 1; j < files.length; j++) pairs.push([files[i]!, files[j]!, ids.get(files[i]!) === ids.get(files[j]!)]);
  const scored = pairs.map(([a, b, same]) => {
    const ta = templates.get(a), tb = templates.get(b);
    let s = -Infinity;
    if (ta && tb) { s = 0; for (let i = 0; i < ta.length; i++) s += ta[i]! * tb[i]!; }
    return { a, b, same, score: s };
  });
  const genuine = scored.filter((p) => p.same).map((p) => p.score);
  const impostor = scored.filter((p) => !p.same).map((p) => p.score);
  const at = Object.fromEntries(FARS.map((f) => [f, rateAtFar(genuine, impostor, Number(f))]));
  const eer = equalErrorRate(genuine, impostor);

  console.log(`images ${files.length} (${new Set(ids.values()).size} identities), failed detections ${failed.length}${failed.length ? `: ${failed.map((f) => `${f.file} ${f.code}`).join(', ')}` : ''}`);
  console.log(`pairs: ${genuine.length} genuine, ${impostor.length} impostor; EER ${(eer * 100).toFixed(2)} %; ${msPerImage.toFixed(1)} ms per image (wall, ${o.workers} worker(s))`);
  console.log('target FAR | threshold | measured FAR | TAR    | note');
  for (const f of FARS) {
    const r = at[f]!;
    console.log(`${f.padEnd(10)} | ${r.threshold.toFixed(3).padStart(9)} | ${r.far.toFixed(5).padStart(12)} | ${r.tar.toFixed(4)} | ${r.unresolved ? `unresolved: ${impostor.length} impostor pairs, none may pass` : ''}`);
  }
  const worst = (same: boolean, dir: number): string => scored.filter((p) => p.same === same).sort((p, q) => dir * (p.score - q.score)).slice(0, 3).map((p) => `${p.a}~${p.b} ${p.score.toFixed(3)}`).join(', ');
  console.log(`lowest genuine: ${worst(true, 1)}\nhighest impostor: ${worst(false, -1)}`);

  const out = o.out ?? mkdtempSync(join(tmpdir(), 'bench-accuracy-'));
  mkdirSync(out, { recursive: true });
  const summary = {
    images: files.length,
    failed_detections: failed.length,
    genuine_pairs: genuine.length,
    impostor_pairs: impostor.length,
    eer,
    tar_at_far: Object.fromEntries(FARS.map((f) => [f, at[f]!.tar])),
    thresholds: Object.fromEntries(FARS.map((f) => [f, at[f]!.threshold])),
    ms_per_image: Math.round(msPerImage * 10) / 10,
  };
  writeFileSync(join(out, 'accuracy.json'), JSON.stringify({ ...summary, dir: o.dir, failed, rates: at, det: detCurve(genuine, impostor) }, null, 1));
  writeFileSync(join(out, 'det.svg'), detSvg(detCurve(genuine, impostor), `${basename(o.dir)}, ${genuine.length} genuine / ${impostor.length} impostor pairs`));
  console.log(`report: ${join(out, 'accuracy.json')}, DET curve: ${join(out, 'det.svg')}`);

  if (o.writeOperatingPoints) {
    const date = new Date().toISOString().slice(0, 10);
    const data = `${o.dir.replace(/\/+$/, '').replace(/^.*\/(shared\/)/, '$1')}: ${files.length} images, ${new Set(ids.values()).size} identities, ${o.pairs ? `pairs of ${basename(o.pairs)}` : 'all pairs'}; ${failed.length} failed detections`;
    const point = (f: '1e-3' | '1e-4') => ({
      threshold: at[f]!.threshold,
      calibration: {
        data, genuinePairs: genuine.length, impostorPairs: impostor.length, far: at[f]!.far, tar: at[f]!.tar, date,
        note: at[f]!.unresolved
          ? `too few impostor pairs to resolve FAR ${f}: threshold is just above the highest impostor score (${Math.max(...impostor.filter(Number.isFinite)).toFixed(3)})`
          : `threshold just above the impostor score ranked ${Math.floor(Number(f) * impostor.length) + 1} of ${impostor.length}`,
      },
    });
    // Only the full-photo points are ours to rewrite; keep the rest (chipOperatingPoints from bench-chip).
    const file = { ...JSON.parse(readFileSync(OPERATING_POINTS, 'utf8')), operatingPoints: { 'fmr_1e-3': point('1e-3'), 'fmr_1e-4': point('1e-4') } };
    writeFileSync(OPERATING_POINTS, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`wrote ${OPERATING_POINTS.pathname}`);
  }
  console.log(JSON.stringify(summary));
}

new Command('bench-accuracy')
  .requiredOption('--dir <dir>', 'folder of photos')
  .option('--identities <csv>', 'file,identity CSV')
  .option('--id-sep <c>', 'identity = file name up to the first C')
  .option('--pairs <csv>', 'only these pairs: file_x,file_y,decision (same|different)')
  .option('--out <dir>', 'where accuracy.json and det.svg go')
  .option('--workers <n>', 'face worker threads', '1')
  .option('--write-operating-points', 'rewrite config/operating-points.json (fmr_1e-3, fmr_1e-4) from this run')
  .action(async (o: Opts) => {
    try {
      await run(o);
    } catch (err) {
      console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    }
  })
  .parseAsync();
