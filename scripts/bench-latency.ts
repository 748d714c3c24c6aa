#!/usr/bin/env -S node --import tsx
/**
 * Face engine latency on a 1280×720 raw RGB24 frame, as the camera delivers it.
 *
 *   npm run bench-latency -- [--frames N] [--image F] [--reference R]
 *
 * Measures engine start (model check + worker start + warm-up), per-stage and end-to-end
 * verify times with one worker (end to end includes pooling the frame into the presentation,
 * as the face loop does: stage `fusion`), frames/s with 1 and 2 workers, resident memory, and the
 * main event loop's lag (p99) while verifying continuously. Prints a table, then a JSON
 * summary as the last stdout line. Other load on the machine shows up in the figures:
 * the load average is printed with them.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Command } from 'commander';
import sharp from 'sharp';
import { loadConfig } from '../config/load.ts';
import { EgateError } from '../kiosk/errors.ts';
import { createFaceEngine, type FaceEngine, type FaceReference, type RawFrame } from '../kiosk/biometrics/index.ts';
import { PresentationFusion } from '../kiosk/biometrics/fusion.ts';
import { FUSION_FRAMES, fuseVerdict } from '../kiosk/crossing/face-loop.ts';

const FIXTURES = new URL('../fixtures/faces/', import.meta.url).pathname;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const r1 = (v: number): number => Math.round(v * 10) / 10;

async function frameFrom(path: string): Promise<RawFrame> {
  const { data, info } = await sharp(readFileSync(path)).rotate().resize(1280, 720, { fit: 'contain', background: '#6b6b6b' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Frames per second with `concurrency` verifications in flight for `frames` frames. */
async function throughput(engine: FaceEngine, ref: FaceReference, frame: RawFrame, frames: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < frames) await engine.verify(ref, frame);
  }));
  return (frames * 1000) / (performance.now() - t0);
}

async function run(o: { frames: string; image: string; reference: string }): Promise<void> {
  const config = loadConfig().face;
  const frames = Math.max(5, Number(o.frames));
  const frame = await frameFrom(o.image);
  const load0 = loadavg();

  const t0 = performance.now();
  const engine = await createFaceEngine(config, { workers: 1 });
  const modelLoadMs = performance.now() - t0;
  const stages: Record<string, number[]> = {};
  const total: number[] = [];
  let lagP99 = NaN;
  let rssMb = 0;
  let fps1 = 0;
  let last = '';
  try {
    const ref: FaceReference = { template: (await engine.extractReference(new Uint8Array(readFileSync(o.reference)))).template, source: 'enrolment' };
    for (let i = 0; i < 3; i++) await engine.verify(ref, frame);
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    // As the face loop runs it: verify, then pool the frame into the presentation (fusion.ts).
    const fusion = new PresentationFusion(FUSION_FRAMES);
    for (let i = 0; i < frames; i++) {
      const t0v = performance.now();
      const r = fuseVerdict(await engine.verify(ref, frame), fusion, ref);
      const fused = performance.now() - t0v - r.timings.total!;
      last = `${r.decision} score ${r.score?.toFixed(3)} liveness ${r.liveness?.toFixed(3)}`;
      for (const [k, v] of Object.entries(r.timings)) (k === 'total' ? total : (stages[k] ??= [])).push(v);
      (stages.fusion ??= []).push(fused);
      total[total.length - 1]! += fused;
    }
    lag.disable();
    lagP99 = lag.percentile(99) / 1e6;
    rssMb = process.memoryUsage().rss / 2 ** 20;
    fps1 = await throughput(engine, ref, frame, frames, 2);
  } finally {
    await engine.close();
  }
  const engine2 = await createFaceEngine(config, { workers: 2 });
  let fps2 = 0;
  try {
    const ref: FaceReference = { template: (await engine2.extractReference(new Uint8Array(readFileSync(o.reference)))).template, source: 'enrolment' };
    fps2 = await throughput(engine2, ref, frame, frames, 4);
  } finally {
    await engine2.close();
  }
  const load1 = loadavg();

  console.log(`frame 1280×720 RGB24 from ${o.image}; ${frames} frames; last result: ${last}`);
  console.log(`load average before ${load0.map((v) => v.toFixed(2)).join(' ')}, after ${load1.map((v) => v.toFixed(2)).join(' ')}; intra-op threads ${config.intraOpThreads}`);
  console.log('stage      |  p50 ms |  p95 ms');
  for (const [k, v] of [...Object.entries(stages), ['verify (end to end)', total] as const]) console.log(`${k.padEnd(10)} | ${pct(v, 50).toFixed(1).padStart(7)} | ${pct(v, 95).toFixed(1).padStart(7)}`);
  console.log(`engine start ${modelLoadMs.toFixed(0)} ms; ${fps1.toFixed(1)} frames/s with 1 worker, ${fps2.toFixed(1)} with 2; RSS ${rssMb.toFixed(0)} MB; event-loop lag p99 ${lagP99.toFixed(1)} ms`);
  console.log(JSON.stringify({
    model_load_ms: Math.round(modelLoadMs),
    verify_ms: { p50: r1(pct(total, 50)), p95: r1(pct(total, 95)), min: r1(Math.min(...total)) },
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, { p50: r1(pct(v, 50)), p95: r1(pct(v, 95)) }])),
    fps: { '1': r1(fps1), '2': r1(fps2) },
    rss_mb: Math.round(rssMb),
    loop_lag_p99_ms: r1(lagP99),
    load_avg: [r1(load0[0]!), r1(load1[0]!)],
  }));
}

new Command('bench-latency')
  .option('--frames <n>', 'frames per measurement', '60')
  .option('--image <file>', 'photo placed in the 1280×720 frame', `${FIXTURES}person01-1.jpg`)
  .option('--reference <file>', 'reference photo', `${FIXTURES}person01-2.jpg`)
  .action(async (o: { frames: string; image: string; reference: string }) => {
    try {
      await run(o);
    } catch (err) {
      console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    }
  })
  .parseAsync();
