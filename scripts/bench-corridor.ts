#!/usr/bin/env -S node --import tsx
/**
 * `bench-corridor [--frames N] [--runs N] [--workers N]` (issue 19 §5): how many corridor
 * cameras at which frame rate the face engine keeps up with on this machine (faces rendered
 * into 640×480 camera views at walking distances, through the real engine), the decision
 * latency after the last useful frame (that frame's engine time + the gallery search + the
 * decision rule), and in the twin the corridor time p50/p95 at 1.2 m/s and wrong openings.
 * Prints a table; the last stdout line is a JSON summary. Quote it with the machine's load.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { prng } from '../core/prng.ts';
import { createFaceEngine, type RawFrame } from '../kiosk/biometrics/index.ts';
import { engineDetector } from '../kiosk/corridor/corridor-loop.ts';
import { judge, type DecideOptions } from '../kiosk/corridor/decide.ts';
import { defaultGeometry, project } from '../kiosk/corridor/geometry.ts';
import { galleryIdentifier } from '../kiosk/corridor/identify-port.ts';
import { GalleryIndex, identificationPolicy, loadIdentificationPoints } from '../kiosk/identify/index.ts';
import { CORRIDOR_SCENARIOS, playCorridorScenario } from './sim/corridor-scenarios.ts';
import { portraitOf, renderView } from './sim/corridor-render.ts';
import { randomTemplate } from './sim/corridor-walk.ts';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

const cmd = new Command('bench-corridor')
  .option('--frames <n>', 'rendered frames through the engine', (v) => Number(v), 60)
  .option('--runs <n>', 'twin walks at 1.2 m/s per camera count', (v) => Number(v), 30)
  .option('--workers <n>', 'face engine workers', (v) => Number(v), 2)
  .option('--gallery <n>', 'enrolled templates searched', (v) => Number(v), 10000)
  .parse();
const o = cmd.opts<{ frames: number; runs: number; workers: number; gallery: number }>();
const loadBefore = loadavg();

// 1. Camera throughput: rendered corridor views (30° lens, faces 1.5–3.5 m away) through the engine.
const photosDir = new URL('../../shared/faces/deepface/', import.meta.url).pathname;
const config = loadConfig().face;
const engine = await createFaceEngine(config, { workers: o.workers });
const photos = ['img1.jpg', 'img2.jpg', 'img3.jpg', 'img4.jpg'].map((f) => new Uint8Array(readFileSync(photosDir + f)));
const portraits = await Promise.all(photos.map(async (b) => portraitOf(b, (await engine.extractReference(b)).quality.box)));
const g30 = defaultGeometry(4, 5, 30);
const cam = g30.cameras[3]!;
const rnd = prng(19);
const views: RawFrame[] = [];
for (let i = 0; i < o.frames; i++) {
  const z = cam.z - (1.5 + 2 * rnd());
  const pr = project(cam, z, (rnd() - 0.5) * 0.2)!;
  views.push(await renderView(cam, [{ portrait: portraits[i % portraits.length]!, box: pr.box }]));
}
const det = engineDetector(engine);
const perFrame: number[] = [];
let found = 0;
const t0 = performance.now();
// As many frames in flight as workers (one camera stream per worker at a time).
let next = 0;
await Promise.all(
  Array.from({ length: o.workers }, async () => {
    while (next < views.length) {
      const v = views[next++]!;
      const t = performance.now();
      found += (await det.detect(v, 'bench')).length;
      perFrame.push(performance.now() - t);
    }
  }),
);
const wallS = (performance.now() - t0) / 1000;
const fpsTotal = views.length / wallS;
await engine.close();

// 2. Decision latency after the last useful frame: that frame's engine time + search + rule.
const gallery = GalleryIndex.build(Array.from({ length: o.gallery }, (_, i) => ({ sub: `s${i}`, template: randomTemplate(rnd) })));
const policy = identificationPolicy(loadIdentificationPoints(), gallery.size, 'fpir_1e-3');
const ident = galleryIdentifier(gallery, policy, (s) => s);
const dec: DecideOptions = { minFrames: 4, decisionLineM: 1.6, corridorLengthM: 5, livenessThreshold: 0.5 };
const searchMs: number[] = [];
for (let i = 0; i < 50; i++) {
  const probe = randomTemplate(rnd);
  const t = performance.now();
  const c = await ident.identify(probe);
  judge({ id: 1, z: 3.5, x: 0, vz: 1.2, frames: 4, cameras: 2, etaS: 1, atExit: false, fused: { template: probe, liveness: 0.9, frames: 4 } }, c, dec);
  searchMs.push(performance.now() - t);
}
const latency = perFrame.map((f, i) => f + searchMs[i % searchMs.length]!);

// 3. The twin at 1.2 m/s: corridor time (entry to the exit door line) and wrong openings.
const twin: Record<number, { p50: number; p95: number; wrong: number; mismatches: number }> = {};
for (const cams of [3, 4, 5]) {
  const times: number[] = [];
  let wrong = 0, mismatches = 0;
  for (let r = 0; r < o.runs; r++) {
    const res = await playCorridorScenario(CORRIDOR_SCENARIOS[0]!, 5000 + r, cams, 10);
    if (res.corridorMs.a != null) times.push(res.corridorMs.a);
    wrong += res.wrongOpenings;
    if (!res.ok) mismatches++;
  }
  twin[cams] = { p50: pct(times, 50), p95: pct(times, 95), wrong, mismatches };
}
let allWrong = 0, allMismatch = 0;
for (const sc of CORRIDOR_SCENARIOS) for (let r = 0; r < 5; r++) { const x = await playCorridorScenario(sc, 9000 + r, 4, 10); allWrong += x.wrongOpenings; if (!x.ok) allMismatch++; }

const framesPerCamera = 10;
const summary = {
  load: loadBefore.map((l) => Number(l.toFixed(2))),
  engine: { workers: o.workers, frames: views.length, facesFound: found, frameMsP50: Number(pct(perFrame, 50).toFixed(1)), frameMsP95: Number(pct(perFrame, 95).toFixed(1)), framesPerS: Number(fpsTotal.toFixed(2)), camerasAt10fps: Number((fpsTotal / framesPerCamera).toFixed(2)), camerasAt5fps: Number((fpsTotal / 5).toFixed(2)) },
  search: { gallery: gallery.size, policy: policy.name ?? 'fpir_1e-3', msP50: Number(pct(searchMs, 50).toFixed(2)), msP95: Number(pct(searchMs, 95).toFixed(2)) },
  decisionLatencyMs: { p50: Number(pct(latency, 50).toFixed(1)), p95: Number(pct(latency, 95).toFixed(1)) },
  twinAt1_2: twin,
  scenarios: { runs: CORRIDOR_SCENARIOS.length * 5, mismatches: allMismatch, wrongOpenings: allWrong },
};
console.log('what                                   value');
console.log(`load average (1/5/15 min) at start    ${summary.load.join(' / ')}`);
console.log(`engine frame ms p50 / p95             ${summary.engine.frameMsP50} / ${summary.engine.frameMsP95}  (${o.workers} workers, ${views.length} rendered views, faces found ${found})`);
console.log(`frames/s processed                    ${summary.engine.framesPerS}  → cameras at 10 fps: ${summary.engine.camerasAt10fps}, at 5 fps: ${summary.engine.camerasAt5fps}`);
console.log(`1:N search + rule ms p50 / p95        ${summary.search.msP50} / ${summary.search.msP95}  (gallery ${gallery.size})`);
console.log(`decision latency ms p50 / p95         ${summary.decisionLatencyMs.p50} / ${summary.decisionLatencyMs.p95}  (last useful frame's engine time + search + rule)`);
for (const [c, t] of Object.entries(twin)) console.log(`twin ${c} cameras, 1.2 m/s: corridor ms  p50 ${t.p50} p95 ${t.p95}  wrong openings ${t.wrong}, mismatches ${t.mismatches} (${o.runs} walks)`);
console.log(`twin scenarios (all kinds ×5)         mismatches ${allMismatch}, wrong openings ${allWrong}`);
console.log(JSON.stringify(summary));
