import { loadavg } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { faceSection } from '../config/sections/face.ts';
import { SimulatedClock } from '../core/clock.ts';
import { createFaceEngine } from '../kiosk/biometrics/index.ts';
import { createTokenWorld } from '../kiosk/tokens/token-world.ts';
import { COLLECTION_SCENARIOS, makeCollectionCast, playCollectionScenario } from './sim/collection-scenarios.ts';
import { CollectionWorld } from './sim/collection-world.ts';

/**
 * Collection-kiosk transaction time in the twin: N residents who collect their card (slip →
 * fetch → read + chip authentication → face → present → take, the resident taking it 2 s after
 * it reaches the mouth) through the simulated kiosk of the demo. Two clocks per step: the
 * kiosk's (simulated: the dispenser's moves and the resident; compute counts as instant) and
 * the wall (compute: slip and card checks, face engine). A table, then one JSON line.
 * Card read + chip authentication over PC/SC: scripts/bench-card.ts.
 * Usage: node --import tsx scripts/bench-collection.ts [--runs 20]
 */
const o = new Command('bench-collection')
  .option('--runs <n>', 'collections to time', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
    return n;
  }, 20)
  .parse()
  .opts<{ runs: number }>();

const STEPS = ['checking_slip', 'fetching', 'reading_card', 'face', 'presenting', 'awaiting_take'] as const;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10 : NaN;
};

const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
const clock = new SimulatedClock();
const tokens = createTokenWorld({ nowMs: clock.now() });
clock.setWallClock(tokens.nowMs);
const world = await CollectionWorld.open(clock, tokens, engine);
const cast = makeCollectionCast();
const collected = COLLECTION_SCENARIOS.find((s) => s.name === 'collected')!;
const perStep = new Map<string, { twin: number[]; wall: number[] }>(STEPS.map((s) => [s, { twin: [], wall: [] }]));
const total = { twin: [] as number[], wall: [] as number[] };
let entered: { state: string; twin: number; wall: number } | undefined;
world.kiosk.actor.subscribe((snap) => {
  const state = String(snap.value);
  if (entered?.state === state) return;
  const now = { twin: clock.monotonic(), wall: performance.now() };
  const row = entered && perStep.get(entered.state);
  if (row && entered) {
    row.twin.push(now.twin - entered.twin);
    row.wall.push(now.wall - entered.wall);
  }
  entered = { state, ...now };
});
let failures = 0;
try {
  await playCollectionScenario(world, cast, collected); // warm-up (engine, caches)
  for (const s of perStep.values()) (s.twin.length = 0), (s.wall.length = 0);
  for (let i = 0; i < o.runs; i++) {
    const r = await playCollectionScenario(world, cast, collected);
    if (!r.ok) failures++;
    total.twin.push(r.kioskMs);
    total.wall.push(r.wallMs);
  }
} finally {
  await world.close();
  await engine.close();
}
const load = loadavg().map((l) => Math.round(l * 100) / 100);
const rows = [...[...perStep.entries()].map(([step, v]) => ({ step, ...v })), { step: 'transaction', ...total }];
console.log(`collection kiosk in the twin: ${o.runs} collections (+1 warm-up), ${failures} failed; load ${load.join(' ')}`);
console.log(`${'step'.padEnd(14)} ${'n'.padStart(3)} ${'twin p50'.padStart(9)} ${'twin p95'.padStart(9)} ${'wall p50'.padStart(9)} ${'wall p95'.padStart(9)}  (ms)`);
const summary: Record<string, { n: number; twinP50: number; twinP95: number; wallP50: number; wallP95: number }> = {};
for (const r of rows) {
  const s = { n: r.twin.length, twinP50: pct(r.twin, 50), twinP95: pct(r.twin, 95), wallP50: pct(r.wall, 50), wallP95: pct(r.wall, 95) };
  summary[r.step] = s;
  console.log(`${r.step.padEnd(14)} ${String(s.n).padStart(3)} ${String(s.twinP50).padStart(9)} ${String(s.twinP95).padStart(9)} ${String(s.wallP50).padStart(9)} ${String(s.wallP95).padStart(9)}`);
}
console.log(JSON.stringify({ bench: 'collection', runs: o.runs, failures, load, steps: summary, pcsc: 'scripts/bench-card.ts' }));
process.exit(failures === 0 ? 0 : 1);
