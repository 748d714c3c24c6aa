#!/usr/bin/env -S node --import tsx
/**
 * Portrait compliance on the labelled set (issue 15 §1).
 *
 *   node --import tsx scripts/bench-portrait.ts [--deepface DIR] [--lfw DIR] [--lfw-count N] [--min-base-ied PX]
 *
 * Builds the set in memory (scripts/portrait-set.ts): each deepface photo whose reframed face
 * has at least --min-base-ied px between the eyes becomes a compliant original plus 14 broken
 * variants; --lfw-count LFW photos (250×250, seeded pick) are compliant originals except for
 * their resolution. Every image is JPEG-encoded and checked like a scan. Prints the per-rule
 * agreement with the labels, the per-variant detection of the broken rule, the check time per
 * photo (p50/p95, with the load average) and, as the last stdout line, a JSON summary.
 */
import { prng } from '../core/prng.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { portraitSection, type PortraitRuleId } from '../config/sections/portrait.ts';
import { loadConfig } from '../config/load.ts';
import { createFaceEngine } from '../kiosk/biometrics/index.ts';
import { EgateError } from '../kiosk/errors.ts';
import { checkPortrait } from '../kiosk/portrait/check.ts';
import { RULE_IDS } from '../kiosk/portrait/rules.ts';
import { encode, labelsFor, makeBase, makeVariant, VARIANTS, type Base, type Variant } from './portrait-set.ts';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const r1 = (v: number): number => Math.round(v * 10) / 10;
const byNumber = (a: string, b: string): number => (parseInt(a.replace(/\D/g, ''), 10) || 0) - (parseInt(b.replace(/\D/g, ''), 10) || 0) || a.localeCompare(b);

interface Tally { labelled: number; expectFail: number; agree: number; falseReject: number; falseAccept: number; passScores: number[]; failScores: number[] }

async function run(o: { deepface: string; lfw: string; lfwCount: string; minBaseIed: string }): Promise<void> {
  const engine = await createFaceEngine(loadConfig().face);
  const config = portraitSection.parse({});
  const load0 = loadavg();
  const tally = new Map<PortraitRuleId, Tally>(RULE_IDS.map((r) => [r, { labelled: 0, expectFail: 0, agree: 0, falseReject: 0, falseAccept: 0, passScores: [], failScores: [] }]));
  const detect = new Map<Variant, { n: number; caught: number; compliantVerdict: number }>();
  const times: number[] = [];
  const cpu: number[] = [];
  const stages: Record<'decode' | 'face' | 'measure', number[]> = { decode: [], face: [], measure: [] };
  const disagreements: string[] = [];
  let images = 0;

  const score = async (name: string, source: string, variant: Variant, photo: Uint8Array, lowRes: boolean): Promise<void> => {
    const c0 = process.cpuUsage();
    const r = await checkPortrait(photo, engine, config);
    const c1 = process.cpuUsage(c0);
    // CPU of the whole process (main thread, face worker, libvips threads) for this photo.
    cpu.push((c1.user + c1.system) / 1000);
    times.push(r.timings.total);
    for (const k of ['decode', 'face', 'measure'] as const) stages[k].push(r.timings[k]);
    images++;
    const { fail, dontCare } = labelsFor(source, variant, lowRes);
    const d = detect.get(variant) ?? { n: 0, caught: 0, compliantVerdict: 0 };
    d.n++;
    if ([...fail].some((f) => r.rules.find((x) => x.rule === f)?.pass === false) || (fail.size === 0 && r.compliant)) d.caught++;
    if (r.compliant) d.compliantVerdict++;
    detect.set(variant, d);
    for (const x of r.rules) {
      if (dontCare.has(x.rule)) continue;
      const t = tally.get(x.rule)!;
      const expectFail = fail.has(x.rule);
      t.labelled++;
      if (expectFail) t.expectFail++;
      (expectFail ? t.failScores : t.passScores).push(x.score);
      if (expectFail !== x.pass) t.agree++;
      else {
        if (expectFail) t.falseAccept++;
        else t.falseReject++;
        disagreements.push(`${name} ${x.rule} expected ${expectFail ? 'fail' : 'pass'} score ${x.score} (raw ${typeof x.raw === 'number' ? r1(x.raw * 1000) / 1000 : x.raw}, limit ${x.limit})`);
      }
    }
  };

  const minIed = Number(o.minBaseIed);
  const files = readdirSync(o.deepface).filter((f) => /\.jpe?g$/i.test(f)).sort(byNumber);
  const bases: { source: string; base: Base }[] = [];
  let skipped = 0;
  for (const f of files) {
    const base = await makeBase(new Uint8Array(readFileSync(join(o.deepface, f))), engine);
    if (base && base.ied >= minIed) bases.push({ source: f, base });
    else skipped++;
  }
  for (const [k, { source, base }] of bases.entries()) {
    const other = bases[(k + 1) % bases.length]!.base;
    for (const v of VARIANTS) await score(`${source}/${v}`, source, v, await encode(await makeVariant(base, v, other, k + 1)), false);
  }
  const lfwFiles = readdirSync(o.lfw).filter((f) => /\.jpe?g$/i.test(f)).sort();
  const pick = prng(20261202);
  const chosen = lfwFiles.map((f) => ({ f, k: pick() })).sort((a, b) => a.k - b.k).slice(0, Number(o.lfwCount)).map((x) => x.f);
  let lfwUsed = 0;
  for (const f of chosen) {
    const base = await makeBase(new Uint8Array(readFileSync(join(o.lfw, f))), engine);
    if (!base) continue;
    lfwUsed++;
    await score(`lfw/${f}`, f, 'compliant', await encode(base.img), true);
  }
  const load1 = loadavg();
  await engine.close();

  console.log(`labelled set: ${bases.length} deepface originals × ${VARIANTS.length} (1 compliant + ${VARIANTS.length - 1} broken; ${skipped} photos under ${minIed} px between the eyes left out), ${lfwUsed} LFW originals; ${images} images`);
  console.log('\nrule                labelled  must-fail  agree  false-reject  false-accept  agreement  limit  scores: must-pass p5/min, must-fail max');
  const rules: Record<string, Omit<Tally, 'passScores' | 'failScores'> & { agreement: number; limit: number; passP5: number; passMin: number; failMax: number | null }> = {};
  for (const [rule, t] of tally) {
    const agreement = t.labelled ? t.agree / t.labelled : NaN;
    const { passScores, failScores, ...counts } = t;
    const passMin = Math.min(...passScores);
    const failMax = failScores.length ? Math.max(...failScores) : null;
    rules[rule] = { ...counts, agreement: Math.round(agreement * 1000) / 1000, limit: config.minScores[rule], passP5: pct(passScores, 5), passMin, failMax };
    console.log(`${rule.padEnd(18)} ${String(t.labelled).padStart(9)} ${String(t.expectFail).padStart(10)} ${String(t.agree).padStart(6)} ${String(t.falseReject).padStart(13)} ${String(t.falseAccept).padStart(13)} ${(agreement * 100).toFixed(1).padStart(9)}% ${String(config.minScores[rule]).padStart(6)}  ${pct(passScores, 5)}/${passMin}, ${failMax ?? '–'}`);
  }
  console.log('\nvariant            images  verdict as labelled  judged compliant');
  const variants: Record<string, { n: number; caught: number; compliantVerdict: number }> = {};
  for (const [v, d] of detect) {
    variants[v] = d;
    console.log(`${v.padEnd(18)} ${String(d.n).padStart(6)} ${String(d.caught).padStart(19)} ${String(d.compliantVerdict).padStart(17)}`);
  }
  console.log(`\ncheck time per photo (decode, face, measures): p50 ${r1(pct(times, 50))} ms, p95 ${r1(pct(times, 95))} ms over ${times.length} (p50 decode ${r1(pct(stages.decode, 50))}, face ${r1(pct(stages.face, 50))}, measures ${r1(pct(stages.measure, 50))} ms); CPU time p50 ${r1(pct(cpu, 50))} ms, p95 ${r1(pct(cpu, 95))} ms; load average ${r1(load0[0]!)} → ${r1(load1[0]!)} (1 min) on 2 cores`);
  if (disagreements.length) console.log(`\ndisagreements (${disagreements.length}):\n  ${disagreements.join('\n  ')}`);
  console.log(JSON.stringify({
    images, deepface_originals: bases.length, lfw_originals: lfwUsed, variants: VARIANTS.length,
    rules, detection: variants,
    check_ms: { p50: r1(pct(times, 50)), p95: r1(pct(times, 95)), n: times.length, stage_p50: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, r1(pct(v, 50))])) },
    check_cpu_ms: { p50: r1(pct(cpu, 50)), p95: r1(pct(cpu, 95)) },
    load_avg: [r1(load0[0]!), r1(load1[0]!)],
  }));
}

new Command('bench-portrait')
  .option('--deepface <dir>', 'deepface photos', new URL('../../shared/faces/deepface', import.meta.url).pathname)
  .option('--lfw <dir>', 'LFW photos (250×250)', new URL('../../shared/faces/lfw-calib', import.meta.url).pathname)
  .option('--lfw-count <n>', 'LFW originals to include', '40')
  .option('--min-base-ied <px>', 'deepface originals need at least this many px between the eyes', '110')
  .action(async (o: { deepface: string; lfw: string; lfwCount: string; minBaseIed: string }) => {
    try {
      await run(o);
    } catch (err) {
      console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    }
  })
  .parseAsync();
