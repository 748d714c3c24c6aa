/**
 * Measures journal append throughput (not a test: figures depend on the disk).
 *
 *   node --import tsx test/journal/append-bench.ts [events=3000] [dir=tmpdir] [--normal]
 *
 * Appends crossing_finished events one per transaction, as the gate does, and prints
 * events/s and per-append latency percentiles. --normal repeats with synchronous=NORMAL
 * for comparison only (the gate always runs FULL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../../kiosk/clock.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { crossingFinished } from './helpers.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const n = Number(args[0] ?? 3000);
const base = args[1] ?? tmpdir();

function run(sync: 'FULL' | 'NORMAL'): void {
  const dir = mkdtempSync(join(base, 'egate-bench-'));
  const j = Journal.open({ path: join(dir, 'j.sqlite'), gate: 'BENCH-01', clock: new SystemClock(), secretPath: join(dir, 'secret') });
  if (sync === 'NORMAL') j.db.pragma('synchronous = NORMAL');
  const subject = j.pseudonym('R0012345');
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    j.append('crossing_finished', crossingFinished(i, subject));
    lat.push(performance.now() - a);
  }
  const secs = (performance.now() - t0) / 1000;
  const bytes = j.diskUsage();
  j.close();
  rmSync(dir, { recursive: true, force: true });
  lat.sort((x, y) => x - y);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!.toFixed(2);
  console.log(
    `synchronous=${sync} dir=${base} events=${n}: ${(n / secs).toFixed(0)} events/s, append ms p50 ${p(0.5)} p99 ${p(0.99)} max ${p(1)}, ${(bytes / n).toFixed(0)} bytes/event on disk`,
  );
}

run('FULL');
if (process.argv.includes('--normal')) run('NORMAL');
