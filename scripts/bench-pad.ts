#!/usr/bin/env -S node --import tsx
/**
 * Presentation-attack detection as ISO/IEC 30107-3 reports it.
 *
 *   node --import tsx scripts/bench-pad.ts [--deepface DIR] [--lfw DIR] [--lfw-bona-fide N]
 *        [--lfw-attacks N] [--seed S] [--workers N]
 *
 * Bona fide presentations: every deepface photo, N lfw-calib photos (a seeded choice, all with
 * --lfw-bona-fide 0), the fixture photos (fixtures/faces, role live/reference), and the mirror
 * image of each. Attacks: scripts/attack-set.ts (screen, screen-glare, print, print-hands) made
 * from every deepface photo and N lfw-calib photos, plus the fixture spoofs.
 * APCER per attack kind = attacks classified bona fide (a face found and liveness ≥ the
 * configured threshold) / attacks of that kind; BPCER per bona fide set = bona fide refused
 * (liveness below the threshold) / bona fide with a face found (no-face counted apart).
 * Rows for each way of scoring liveness: the frame alone, and the mean of the frame and its
 * mirror image (test-time averaging). Table, then a JSON summary as the last stdout line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { loadConfig } from '../config/load.ts';
import { createFaceEngine } from '../kiosk/biometrics/index.ts';
import { ATTACK_KINDS, makeAttack } from './attack-set.ts';
import { FaceCache, verifyCached, withProgress } from './face-cache.ts';
import { prng } from '../core/prng.ts';

interface Opts { deepface: string; lfw: string; lfwBonaFide: string; lfwAttacks: string; seed: string; workers: string }
interface Item { group: string; name: string; bytes: () => Promise<Uint8Array>; attack: boolean }
interface Result { live: number | null; mirrored: number | null }

const FIXTURES = new URL('../fixtures/faces/', import.meta.url).pathname;
const listed = (dir: string): string[] => readFileSync(join(dir, 'identities.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')[0]!);
const read = (p: string) => async (): Promise<Uint8Array> => new Uint8Array(readFileSync(p));

function choose<T>(xs: T[], n: number, seed: number): T[] {
  if (n <= 0 || n >= xs.length) return xs;
  const r = prng(seed), a = [...xs];
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a.slice(0, n);
}

async function run(o: Opts): Promise<void> {
  const seed = Number(o.seed), workers = Math.max(1, Number(o.workers));
  const config = loadConfig().face;
  const thr = config.livenessThreshold;
  const deep = listed(o.deepface), lfw = listed(o.lfw);
  const fixtures = readdirSync(FIXTURES).filter((f) => /^person.*\.jpg$/.test(f));
  const spoofs = readdirSync(FIXTURES).filter((f) => /^spoof-.*\.jpg$/.test(f));
  const items: Item[] = [
    ...deep.map((f) => ({ group: 'deepface', name: f, bytes: read(join(o.deepface, f)), attack: false })),
    ...choose(lfw, Number(o.lfwBonaFide), seed).map((f) => ({ group: 'lfw-calib', name: f, bytes: read(join(o.lfw, f)), attack: false })),
    ...fixtures.map((f) => ({ group: 'fixtures', name: f, bytes: read(join(FIXTURES, f)), attack: false })),
    ...spoofs.map((f) => ({ group: 'fixture-spoof', name: f, bytes: read(join(FIXTURES, f)), attack: true })),
  ];
  const sources = [...deep.map((f) => join(o.deepface, f)), ...choose(lfw, Number(o.lfwAttacks), seed + 1).map((f) => join(o.lfw, f))];
  ATTACK_KINDS.forEach((kind, k) => sources.forEach((p, i) => items.push({ group: kind, name: p, attack: true, bytes: async () => new Uint8Array(await makeAttack(new Uint8Array(readFileSync(p)), kind, seed * 31 + k * 100_003 + i)) })));

  const engine = await createFaceEngine({ ...config, intraOpThreads: workers > 1 ? 1 : config.intraOpThreads }, { workers });
  const cache = new FaceCache('frames');
  const results = new Map<Item, Result>();
  try {
    await withProgress('presentations (and mirrors)', items, workers * 2, async (it) => {
      const bytes = await it.bytes();
      const mirror = new Uint8Array(await sharp(bytes).rotate().flop().jpeg({ quality: 95 }).toBuffer());
      const a = await verifyCached(engine, cache, bytes);
      const b = await verifyCached(engine, cache, mirror);
      results.set(it, { live: a.template ? a.liveness : null, mirrored: b.template ? b.liveness : null });
    });
  } finally {
    cache.save();
    await engine.close();
  }

  const ways: { name: string; score: (r: Result) => number | null }[] = [
    { name: 'frame', score: (r) => r.live },
    { name: 'mirror', score: (r) => r.mirrored },
    { name: 'frame+mirror mean', score: (r) => (r.live === null || r.mirrored === null ? r.live ?? r.mirrored : (r.live + r.mirrored) / 2) },
  ];
  const groups = [...new Set(items.map((i) => i.group))];
  const summary: Record<string, Record<string, unknown>> = {};
  console.log(`liveness threshold ${thr}; seed ${seed}; load ${loadavg()[0]!.toFixed(1)}`);
  console.log('way               | set            | kind      | presentations | no face | errors | rate');
  for (const w of ways) {
    summary[w.name] = {};
    for (const g of groups) {
      const rs = items.filter((i) => i.group === g).map((i) => w.score(results.get(i)!));
      const attack = items.find((i) => i.group === g)!.attack;
      const noFace = rs.filter((s) => s === null).length;
      const faced = rs.filter((s): s is number => s !== null);
      // APCER counts over every attack (no face = not accepted); BPCER over bona fide with a face.
      const errors = attack ? faced.filter((s) => s >= thr).length : faced.filter((s) => !(s >= thr)).length;
      const rate = attack ? errors / Math.max(1, rs.length) : errors / Math.max(1, faced.length);
      console.log(`${w.name.padEnd(17)} | ${g.padEnd(14)} | ${(attack ? 'APCER' : 'BPCER').padEnd(9)} | ${String(rs.length).padStart(13)} | ${String(noFace).padStart(7)} | ${String(errors).padStart(6)} | ${(rate * 100).toFixed(2)} %`);
      summary[w.name]![g] = { kind: attack ? 'APCER' : 'BPCER', presentations: rs.length, no_face: noFace, errors, rate };
    }
  }
  console.log(JSON.stringify({ liveness_threshold: thr, seed, load: Math.round(loadavg()[0]! * 10) / 10, ways: summary }));
}

await new Command('bench-pad')
  .option('--deepface <dir>', 'deepface photos', new URL('../../shared/faces/deepface', import.meta.url).pathname)
  .option('--lfw <dir>', 'lfw-calib photos', new URL('../../shared/faces/lfw-calib', import.meta.url).pathname)
  .option('--lfw-bona-fide <n>', 'lfw-calib photos as bona fide presentations (0 = all)', '300')
  .option('--lfw-attacks <n>', 'lfw-calib photos made into attacks of each kind', '100')
  .option('--seed <n>', 'attack and choice seed', '20261202')
  .option('--workers <n>', 'face worker threads', '1')
  .action(run)
  .parseAsync();
