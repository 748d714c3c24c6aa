/**
 * The soak benchmark (issue 11.12): hours of traffic compressed — up to 600 crossings an hour
 * of every token kind and behaviour through the real gate process — with faults injected at
 * random: kill -9 of the gate, broker down, serial line pulled, controller restarted, camera
 * stalled, fire-alarm blips, data disk nearly full (root only: a tmpfs of its own). The
 * invariants are judged from the simulated controller's own record of coil writes, the
 * plant's doors, verify-journal and an independent MQTT subscriber (scripts/soak/judge.ts).
 * Prints a table, then a JSON summary as the last stdout line; exits 1 if an invariant broke.
 *
 *   node --import tsx scripts/soak.ts [--kills 100] [--seed N]
 */
import { loadavg } from 'node:os';
import { Command } from 'commander';
import { runSoak } from './soak/run.ts';

const opts = new Command('soak')
  .description('traffic with random faults (kill -9, broker, serial line, controller, camera, fire blips, disk full) and the safety invariants')
  .option('--kills <n>', 'kill -9 the gate this many times', (v) => Number(v), 100)
  .option('--seed <n>', 'random seed (replays the travellers and faults)', (v) => Number(v), (Math.random() * 0x7fffffff) | 0)
  .option('--others-per-kill <n>', 'other faults per kill, on average', (v) => Number(v), 0.6)
  .option('--max-minutes <n>', 'stop injecting after this long even with fewer kills', (v) => Number(v))
  .option('--crossings-between <n>', 'crossings completed between two faults', (v) => Number(v), 2)
  .parse()
  .opts<{ kills: number; seed: number; othersPerKill: number; maxMinutes?: number; crossingsBetween: number }>();

// Ctrl-C (or SIGTERM) ends the injection early; the run still judges and reports what it did.
const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
process.once('SIGTERM', () => abort.abort());

const load = loadavg()[0]!;
const f = await runSoak({ kills: opts.kills, seed: opts.seed, othersPerKill: opts.othersPerKill, crossingsBetween: opts.crossingsBetween, signal: abort.signal, ...(opts.maxMinutes ? { maxMinutes: opts.maxMinutes } : {}), say: (l) => process.stderr.write(l + '\n') });
const summary = { ...f, load1_start: +load.toFixed(2), load1_end: +loadavg()[0]!.toFixed(2) };
console.log(`soak — seed ${f.seed}, ${f.seconds} s, load ${summary.load1_start} → ${summary.load1_end}`);
console.log('| what | figure |\n|---|---|');
for (const [k, v] of Object.entries(summary)) if (k !== 'wrong_opening_list' && k !== 'long_heartbeat_gaps') console.log(`| ${k} | ${typeof v === 'object' ? JSON.stringify(v) : String(v)} |`);
for (const g of f.long_heartbeat_gaps) console.log(`heartbeat gap ${g.ms} ms at ${g.at_s} s — ${g.context}`);
for (const w of f.wrong_opening_list) console.log(`wrong opening: ${w.door} at ${w.at_s} s — ${w.why}; ${w.context}`);
console.log(JSON.stringify(summary));
const broken = f.wrong_openings > 0 || f.late_closings > 0 || !f.journal_ok || f.lost_events > 0 || f.stopped_early !== null;
process.exitCode = broken ? 1 : 0;
setTimeout(() => process.exit(), 500).unref();
