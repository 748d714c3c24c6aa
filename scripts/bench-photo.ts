#!/usr/bin/env -S node --import tsx
/**
 * The photo kiosk's transaction time in the twin (issue 15 §5).
 *
 *   node --import tsx scripts/bench-photo.ts [--runs N]
 *
 * N applicants (half pay by FPS, half by Octopus) each bring a compliant print of themselves
 * and go through the real binding, crop, compliance check, face engine (1 worker), payment
 * desk, SQLite store and journal, with the device twins on the system clock: the scanner
 * takes 1.5 s, the FPS payer 1 s to confirm in the banking app and the acquirer's notice
 * 0.2 s, the Octopus card 0.3 s in the field. The applicant taps at once. Times each phase
 * from the statechart's state entries, prints p50/p95 per phase and of the whole
 * transaction (Start to the receipt), and as the last stdout line a JSON summary.
 */
import { cpus, loadavg } from 'node:os';
import { Command } from 'commander';
import { faceSection } from '../config/sections/face.ts';
import { SystemClock } from '../core/clock.ts';
import { createFaceEngine } from '../kiosk/biometrics/index.ts';
import { makeCast, PHOTO_SCENARIOS, playPhotoScenario } from './sim/photo-scenarios.ts';
import { PhotoWorld } from './sim/photo-world.ts';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};

const opts = new Command('bench-photo').option('--runs <n>', 'transactions (half FPS, half Octopus)', '10').parse().opts<{ runs: string }>();
const runs = Math.max(2, Number(opts.runs));
const load0 = loadavg()[0]!;
const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
const fps = PHOTO_SCENARIOS.find((s) => s.pay?.method === 'fps' && s.pay.payer === 'pay')!;
const octopus = PHOTO_SCENARIOS.find((s) => s.pay?.method === 'octopus' && s.pay.payer === 'pay')!;
const cast = await makeCast(engine, ['compliant']);
const clock = new SystemClock();
const world = await PhotoWorld.open(clock, engine);
const PHASES = ['scanning', 'checking_photo', 'look_at_camera', 'paying', 'printing'] as const;
const times: Record<string, number[]> = Object.fromEntries([...PHASES, 'total_fps', 'total_octopus', 'total'].map((k) => [k, []]));
let failures = 0;
try {
  for (let i = 0; i < runs; i++) {
    const sc = i % 2 === 0 ? fps : octopus;
    const entered = new Map<string, number>();
    const sub = world.kiosk.actor.subscribe((s) => {
      const v = String(s.value);
      if (!entered.has(v)) entered.set(v, clock.monotonic());
    });
    const r = await playPhotoScenario(world, cast, sc);
    sub.unsubscribe();
    if (!r.ok) {
      failures++;
      console.error(`run ${i + 1}: ${r.why.join('; ')}`);
      continue;
    }
    const order = [...PHASES, 'result'] as const;
    for (let k = 0; k < PHASES.length; k++) times[PHASES[k]!]!.push(entered.get(order[k + 1]!)! - entered.get(PHASES[k]!)!);
    // Start → receipt printed (the result screen): the applicant's transaction
    const total = entered.get('result')! - entered.get('place_photo')!;
    times.total!.push(total);
    times[sc.pay!.method === 'fps' ? 'total_fps' : 'total_octopus']!.push(total);
    process.stderr.write(`run ${i + 1}/${runs} ${sc.pay!.method} ${Math.round(total)} ms\n`);
  }
} finally {
  await world.close();
  await engine.close();
}
const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { n: v.length, p50_ms: Math.round(pct(v, 50)), p95_ms: Math.round(pct(v, 95)) }]));
console.log(`${'phase'.padEnd(16)} ${'n'.padStart(3)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`);
for (const [k, v] of Object.entries(rows)) console.log(`${k.padEnd(16)} ${String(v.n).padStart(3)} ${String(v.p50_ms).padStart(8)} ${String(v.p95_ms).padStart(8)}`);
console.log(`twin device times: scan 1500 ms, FPS payer 1000 ms + notice 200 ms, Octopus 300 ms; failures ${failures}; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`);
console.log(JSON.stringify({ runs, failures, phases: rows, device_ms: { scan: 1500, fps_payer: 1000, fps_notice: 200, octopus: 300 }, load_before: load0, load_after: loadavg()[0], cores: cpus().length }));
process.exit(failures === 0 ? 0 : 1);
