#!/usr/bin/env -S node --import tsx
/**
 * Ways to raise the presentation-attack floor, measured on the same presentations as bench-pad
 * (ISO/IEC 30107-3: APCER per attack kind, BPCER per bona fide set), one liveness run per way:
 *
 *   node --import tsx scripts/pad-study.ts [--deepface DIR] [--lfw DIR] [--lfw-bona-fide N]
 *        [--lfw-attacks N] [--seed S]
 *
 * Runs the detector and the liveness network directly (no embedding: this only rates liveness),
 * on the top-ranked face. Ways:
 *   crop-2.7-bgr      the gate today: box × 2.7, BGR, one bilinear tap per pixel
 *   crop-2.7-rgb      the same crop in RGB (what the model package's own demo feeds it)
 *   crop-2.0 / crop-4.0   less / more context around the face
 *   mirror-mean       mean of the frame and its mirror image (test-time averaging)
 *   scale-mean-3      mean over the frame seen at 1.0, 0.85 and 0.7 of its size (three camera
 *                     distances: liveness over several frames of one presentation)
 *   recapture-mean-3  attacks only: mean over three recaptures of the same attack (other seeds:
 *                     other moiré, glare, border, roll); bona fide rows repeat scale-mean-3
 * Prints the table and a JSON summary as the last stdout line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadConfig } from '../config/load.ts';
import { prng } from '../core/prng.ts';
import type { RgbImage } from '../kiosk/biometrics/decode.ts';
import { decodeDetections, detectCanvas, DETECT_H, DETECT_W, rankFaces, type Box } from '../kiosk/biometrics/detect.ts';
import { cropRect } from '../kiosk/biometrics/landmarks.ts';
import { liveProbability, LIVENESS_SIZE } from '../kiosk/biometrics/liveness.ts';
import { rectMap, warpToTensor } from '../kiosk/biometrics/resample.ts';
import { loadManifest, MODELS_DIR } from '../models/provision.ts';
import { ATTACK_KINDS, makeAttack } from './attack-set.ts';
import { withProgress } from './face-cache.ts';

interface Opts { deepface: string; lfw: string; lfwBonaFide: string; lfwAttacks: string; seed: string }

const FIXTURES = new URL('../fixtures/faces/', import.meta.url).pathname;
const WAYS = ['crop-2.7-bgr', 'crop-2.7-rgb', 'crop-2.0', 'crop-4.0', 'mirror-mean', 'scale-mean-3', 'recapture-mean-3'] as const;
type Way = (typeof WAYS)[number];
const listed = (dir: string): string[] => readFileSync(join(dir, 'identities.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')[0]!);

function choose<T>(xs: T[], n: number, seed: number): T[] {
  if (n <= 0 || n >= xs.length) return xs;
  const r = prng(seed), a = [...xs];
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a.slice(0, n);
}

async function rgb(bytes: Uint8Array, scale = 1, flop = false): Promise<RgbImage> {
  const up = await sharp(bytes).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  let p = sharp(up.data, { raw: { width: up.info.width, height: up.info.height, channels: 3 } });
  if (scale !== 1) p = p.resize(Math.round(up.info.width * scale));
  if (flop) p = p.flop();
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

class Nets {
  private constructor(private readonly detect: ort.InferenceSession, private readonly live: ort.InferenceSession) {}
  static async load(): Promise<Nets> {
    const so: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };
    const file = (n: string): string => join(MODELS_DIR, loadManifest().models.find((m) => m.name === n)!.file);
    return new Nets(await ort.InferenceSession.create(file('detect'), so), await ort.InferenceSession.create(file('liveness'), so));
  }
  async box(img: RgbImage): Promise<Box | null> {
    const c = detectCanvas(img);
    const out = await this.detect.run({ [this.detect.inputNames[0]!]: new ort.Tensor('float32', c.tensor, [1, 3, DETECT_H, DETECT_W]) });
    const faces = rankFaces(decodeDetections(out.scores!.data as Float32Array, out.boxes!.data as Float32Array, c, img), img.width, img.height);
    return faces[0]?.box ?? null;
  }
  async liveness(img: RgbImage, box: Box, scale: number, order: 'bgr' | 'rgb'): Promise<number> {
    const rect = cropRect(box, scale, img.width, img.height);
    const t = warpToTensor(img, rectMap(rect, LIVENESS_SIZE, LIVENESS_SIZE), LIVENESS_SIZE, LIVENESS_SIZE, { order, bias: 0, scale: 1 }, { fill: [0, 0, 0], maxTaps: 1 });
    const out = await this.live.run({ [this.live.inputNames[0]!]: new ort.Tensor('float32', t, [1, 3, LIVENESS_SIZE, LIVENESS_SIZE]) });
    return liveProbability(Object.values(out)[0]!.data as Float32Array);
  }
  /** Liveness of the top face at the gate's crop, or null without a face. */
  async frame(bytes: Uint8Array, scale = 1, flop = false): Promise<number | null> {
    const img = await rgb(bytes, scale, flop);
    const b = await this.box(img);
    return b ? this.liveness(img, b, 2.7, 'bgr') : null;
  }
}

interface Item { set: string; attack: boolean; bytes: (k: number) => Promise<Uint8Array> }
const mean = (xs: (number | null)[]): number | null => { const v = xs.filter((x): x is number => x !== null); return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null; };

async function run(o: Opts): Promise<void> {
  const seed = Number(o.seed);
  const thr = loadConfig().face.livenessThreshold;
  const read = (p: string) => async (): Promise<Uint8Array> => new Uint8Array(readFileSync(p));
  const deep = listed(o.deepface).map((f) => join(o.deepface, f));
  const lfwBf = choose(listed(o.lfw), Number(o.lfwBonaFide), seed).map((f) => join(o.lfw, f));
  const fixtures = readdirSync(FIXTURES).filter((f) => /^person.*\.jpg$/.test(f)).map((f) => join(FIXTURES, f));
  const spoofs = readdirSync(FIXTURES).filter((f) => /^spoof-.*\.jpg$/.test(f)).map((f) => join(FIXTURES, f));
  const items: Item[] = [
    ...deep.map((p) => ({ set: 'deepface', attack: false, bytes: read(p) })),
    ...lfwBf.map((p) => ({ set: 'lfw-calib', attack: false, bytes: read(p) })),
    ...fixtures.map((p) => ({ set: 'fixtures', attack: false, bytes: read(p) })),
    ...spoofs.map((p) => ({ set: 'fixture-spoof', attack: true, bytes: read(p) })),
  ];
  // Same sources and seeds as bench-pad (recapture k > 0 adds k × 7,919 to the seed).
  const sources = [...deep, ...choose(listed(o.lfw), Number(o.lfwAttacks), seed + 1).map((f) => join(o.lfw, f))];
  ATTACK_KINDS.forEach((kind, k) => sources.forEach((p, i) => items.push({ set: kind, attack: true, bytes: async (r) => new Uint8Array(await makeAttack(new Uint8Array(readFileSync(p)), kind, seed * 31 + k * 100_003 + i + r * 7_919)) })));

  const nets = await Nets.load();
  const results = new Map<Item, Record<Way, number | null>>();
  const t0 = performance.now();
  await withProgress('presentations', items, 2, async (it) => {
    const bytes = await it.bytes(0);
    const img = await rgb(bytes);
    const box = await nets.box(img);
    const r = Object.fromEntries(WAYS.map((w) => [w, null])) as Record<Way, number | null>;
    if (box) {
      r['crop-2.7-bgr'] = await nets.liveness(img, box, 2.7, 'bgr');
      r['crop-2.7-rgb'] = await nets.liveness(img, box, 2.7, 'rgb');
      r['crop-2.0'] = await nets.liveness(img, box, 2.0, 'bgr');
      r['crop-4.0'] = await nets.liveness(img, box, 4.0, 'bgr');
    }
    r['mirror-mean'] = mean([r['crop-2.7-bgr'], await nets.frame(bytes, 1, true)]);
    r['scale-mean-3'] = mean([r['crop-2.7-bgr'], await nets.frame(bytes, 0.85), await nets.frame(bytes, 0.7)]);
    r['recapture-mean-3'] = it.attack && !it.set.startsWith('fixture') ? mean([r['crop-2.7-bgr'], await nets.frame(await it.bytes(1)), await nets.frame(await it.bytes(2))]) : r['scale-mean-3'];
    results.set(it, r);
  });
  const seconds = (performance.now() - t0) / 1000;

  const sets = [...new Set(items.map((i) => i.set))];
  const summary: Record<string, Record<string, unknown>> = {};
  console.log(`liveness threshold ${thr}; seed ${seed}; ${items.length} presentations in ${seconds.toFixed(0)} s; load ${loadavg()[0]!.toFixed(1)}`);
  console.log(`way              | ${sets.map((s) => s.padStart(13)).join(' | ')}`);
  for (const w of WAYS) {
    summary[w] = {};
    const cells = sets.map((s) => {
      const its = items.filter((i) => i.set === s);
      const rs = its.map((i) => results.get(i)![w]);
      const faced = rs.filter((x): x is number => x !== null);
      const attack = its[0]!.attack;
      // APCER over every attack (no face = not accepted); BPCER over bona fide with a face.
      const errors = attack ? faced.filter((x) => x >= thr).length : faced.filter((x) => !(x >= thr)).length;
      const n = attack ? rs.length : faced.length;
      summary[w]![s] = { kind: attack ? 'APCER' : 'BPCER', n, no_face: rs.length - faced.length, errors, rate: errors / Math.max(1, n) };
      return `${attack ? 'A' : 'B'} ${((errors / Math.max(1, n)) * 100).toFixed(1).padStart(5)} % ${String(errors).padStart(3)}/${n}`.padStart(13);
    });
    console.log(`${w.padEnd(16)} | ${cells.join(' | ')}`);
  }
  console.log(JSON.stringify({ liveness_threshold: thr, seed, seconds: Math.round(seconds), load: Math.round(loadavg()[0]! * 10) / 10, ways: summary }));
}

await new Command('pad-study')
  .option('--deepface <dir>', 'deepface photos', new URL('../../shared/faces/deepface', import.meta.url).pathname)
  .option('--lfw <dir>', 'lfw-calib photos', new URL('../../shared/faces/lfw-calib', import.meta.url).pathname)
  .option('--lfw-bona-fide <n>', 'lfw-calib photos as bona fide presentations (0 = all)', '300')
  .option('--lfw-attacks <n>', 'lfw-calib photos made into attacks of each kind', '100')
  .option('--seed <n>', 'attack and choice seed (bench-pad\'s default)', '20261202')
  .action(run)
  .parseAsync();
