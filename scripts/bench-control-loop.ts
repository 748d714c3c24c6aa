/**
 * The control loop under CPU load (issue 11.3(d), 12.5): runs the complete simulated gate
 * (real Modbus master over a socat pty to the simulated controller, face engine, journal)
 * through a scenario again and again for N minutes with CPU burners beside it, and reports
 *  - heartbeat gaps as the controller executed them (door-io.md: ≤ 1,000 ms; trip at 3,000),
 *  - door faults the gate raised (each one takes the lane out of service),
 *  - crossings whose outcome differed from the expected one,
 *  - the gate process's own event-loop delay (p99, max).
 * Prints a table, then a JSON summary as the last stdout line.
 *
 *   node --import tsx scripts/bench-control-loop.ts [--minutes 3] [--burners 2] [--scenario F]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Command } from 'commander';
import { silentLogger } from '../kiosk/log.ts';
import { checkPeers } from '../test/helpers/peers.ts';
import { demoPhotos } from './sim/builtin.ts';
import { loadScenario } from './sim/scenario.ts';
import { startSimulation } from './sim/simulation.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const opts = new Command('bench-control-loop')
  .description('heartbeat gaps, false door faults and loop delay of the simulated gate under CPU load')
  .option('--minutes <n>', 'how long to run the traffic', (v) => Number(v), 3)
  .option('--burners <n>', 'CPU burners beside the gate (stress-ng --cpu N, else busy loops)', (v) => Number(v), 2)
  .option('--scenario <file>', 'scenario to repeat', join(ROOT, 'scripts/sim/scenarios/pedestrian-all.json'))
  .parse()
  .opts<{ minutes: number; burners: number; scenario: string }>();

function startBurners(n: number): ChildProcess[] {
  if (n <= 0) return [];
  if (checkPeers('stress-ng').ok) return [spawn('stress-ng', ['--cpu', String(n), '--timeout', '0'], { stdio: 'ignore' })];
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const scenario = loadScenario(opts.scenario);
const photos = demoPhotos();
const loadBefore = loadavg()[0]!;
const burners = startBurners(opts.burners);
const stopBurners = (): void => burners.forEach((b) => b.exitCode === null && b.kill('SIGKILL'));
process.once('exit', stopBurners);

const sim = await startSimulation(scenario, { photosDir: scenario.photos ?? photos.dir, spoofPhoto: photos.spoof, log: silentLogger() });
if (!sim.doorLink.startsWith('Modbus')) console.log('note: socat missing, the controller is the in-process twin (no serial line measured)');

// The controller's own record: when it executed each heartbeat write.
const beats: number[] = [];
const hbAddr = 0;
const write = sim.plant.writeHoldingRegister.bind(sim.plant);
sim.plant.writeHoldingRegister = (addr: number, value: number): void => {
  if (addr === hbAddr) beats.push(performance.now());
  write(addr, value);
};
const faults: string[] = [];
sim.gate.bus.on('journal', (j) => {
  if (j.type === 'device_fault') faults.push(`${String(j.data.device)}:${String(j.data.code ?? '')}`);
});
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const started = performance.now();
const endAt = started + opts.minutes * 60_000;
let crossings = 0;
let mismatches = 0;
const mismatchLines: string[] = [];
while (performance.now() < endAt) {
  for (const t of scenario.travellers) {
    if (performance.now() >= endAt) break;
    const r = await sim.world.cross(t, sim.subOf(t), 120_000);
    crossings++;
    if (r.outcome !== r.expected) {
      mismatches++;
      mismatchLines.push(`${t.name}: ${r.outcome}/${r.reason} expected ${r.expected}`);
    }
  }
}
loop.disable();
const seconds = (performance.now() - started) / 1000;
const loadDuring = loadavg()[0]!;
stopBurners();
const stats = (sim.gate.deps.door as unknown as { stats?: unknown }).stats as { retries?: number; failedPolls?: number; maxOwnLagMs?: number } | undefined;
await sim.close();

const gaps = beats.slice(1).map((b, i) => b - beats[i]!).sort((a, b) => a - b);
const summary = {
  minutes: +(seconds / 60).toFixed(2),
  burners: opts.burners,
  load1_before: +loadBefore.toFixed(2),
  load1_end: +loadDuring.toFixed(2),
  crossings,
  mismatches,
  door_faults: faults.filter((f) => f.startsWith('controller') || f.startsWith('door')).length,
  faults_by_code: faults.reduce<Record<string, number>>((m, f) => ((m[f] = (m[f] ?? 0) + 1), m), {}),
  heartbeats: beats.length,
  heartbeat_gap_p50_ms: Math.round(pct(gaps, 50)),
  heartbeat_gap_p99_ms: Math.round(pct(gaps, 99)),
  heartbeat_gap_max_ms: Math.round(gaps.at(-1) ?? 0),
  heartbeat_gaps_over_1000ms: gaps.filter((g) => g > 1000).length,
  loop_delay_p99_ms: Math.round(loop.percentile(99) / 1e6),
  loop_delay_max_ms: Math.round(loop.max / 1e6),
  link_retries: stats?.retries ?? null,
  link_failed_polls: stats?.failedPolls ?? null,
  own_lag_max_ms: stats?.maxOwnLagMs ?? null,
};
console.log(`control loop under load — ${summary.minutes} min, ${opts.burners} burner(s), load ${summary.load1_before} → ${summary.load1_end}`);
console.log('| what | figure |\n|---|---|');
for (const [k, v] of Object.entries(summary)) console.log(`| ${k} | ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)} |`);
for (const m of mismatchLines.slice(0, 10)) console.log(`mismatch: ${m}`);
console.log(JSON.stringify(summary));
setTimeout(() => process.exit(0), 200).unref();
