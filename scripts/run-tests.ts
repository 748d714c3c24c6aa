/**
 * Runs every test/**\/*.test.ts file in its own Node process (isolation: a test that
 * leaks a serial port or a worker cannot hang the others), longest first: two at a time on the
 * 2-core machine, and more only while the running files leave CPU idle by what they used on a
 * reference run (scripts/test-schedule.ts). Files whose first line contains `@serial` (one
 * pcscd per machine, heavy gate processes) never run two at once. Ends with the one line CI
 * reads: `N passed, N failed, N skipped`.
 *
 *   node --import tsx scripts/run-tests.ts [filter…]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve as resolvePath } from 'node:path';
import { explainFailure, progressLine } from './test-diagnosis.ts';
import { nextFile, type Candidate } from './test-schedule.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const FILE_TIMEOUT_MS = Number(process.env.EGATE_TEST_FILE_TIMEOUT_MS ?? 8 * 60_000);
const JOBS = Number(process.env.EGATE_TEST_JOBS ?? 2);
/** However idle the running files are, no more than this many at once. */
const MAX_FILES = Number(process.env.EGATE_TEST_MAX_FILES ?? 4);
const LOG_DIR = join(ROOT, 'artifacts', 'test-logs');
const PROGRESS_MS = Number(process.env.EGATE_TEST_PROGRESS_MS ?? 30_000);
/** Makes a throwing before/after hook print its error (uvu swallows it): test/helpers/uvu-guard.mjs. */
const HOOK_GUARD = join(ROOT, 'test', 'helpers', 'uvu-guard-register.mjs');
const RUN_STARTED = Date.now();
/**
 * Per file, [seconds of wall time, seconds of CPU] on a reference run (EGATE_TEST_RECORD_TIMES=1
 * rewrites it; a bare number is wall time only). Only the order and overlap of files depend on it.
 */
const TIMES_FILE = join(ROOT, 'test', 'file-times.json');

function expectedSeconds(): Record<string, { wall: number; cpu?: number }> {
  try {
    const raw = JSON.parse(readFileSync(TIMES_FILE, 'utf8')) as Record<string, number | [number, number]>;
    return Object.fromEntries(Object.entries(raw).map(([f, v]) => [f, Array.isArray(v) ? { wall: v[0], cpu: v[1] } : { wall: v }]));
  } catch {
    return {};
  }
}

/** CPU seconds of a process and of the children it has waited for, from /proc (Linux; USER_HZ 100). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return undefined;
  }
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
  /** CPU seconds, as last sampled before the file ended. */
  cpu: number;
  note?: string;
}

function parseTotals(output: string): { total: number; passed: number; skipped: number } | undefined {
  const t = [...output.matchAll(/Total:\s+(\d+)/g)].at(-1);
  const p = [...output.matchAll(/Passed:\s+(\d+)/g)].at(-1);
  const s = [...output.matchAll(/Skipped:\s+(\d+)/g)].at(-1);
  if (!t || !p || !s) return undefined;
  return { total: Number(t[1]), passed: Number(p[1]), skipped: Number(s[1]) };
}

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', HOOK_GUARD, file], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', EGATE_LOG_LEVEL: process.env.EGATE_LOG_LEVEL ?? 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const rel0 = relative(ROOT, file);
    const progress = setInterval(() => console.log(progressLine(rel0, Date.now() - started, output)), PROGRESS_MS);
    let cpu = 0;
    const sampler = setInterval(() => (cpu = cpuSeconds(child.pid!) ?? cpu), 500);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(progress);
      clearInterval(sampler);
      const rel = relative(ROOT, file);
      // Peers started by a test live in its process group: make sure none outlives it.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      const logName = rel.replace(/[\/]/g, '__') + '.log';
      writeFileSync(join(LOG_DIR, logName), output);
      const totals = parseTotals(output);
      const ms = Date.now() - started;
      let r: FileResult;
      if (timedOut) r = { file: rel, passed: totals?.passed ?? 0, failed: 1, skipped: 0, ms, cpu, note: `timed out after ${FILE_TIMEOUT_MS} ms` };
      else if (!totals) r = { file: rel, passed: 0, failed: 1, skipped: 0, ms, cpu, note: `exited ${code} without a uvu summary` };
      else {
        const failed = totals.total - totals.passed;
        r = { file: rel, passed: totals.passed, failed: failed === 0 && code !== 0 ? 1 : failed, skipped: totals.skipped, ms, cpu };
        if (failed === 0 && code !== 0) r.note = `exit code ${code}`;
      }
      const skipLines = output.split('\n').filter((l) => l.startsWith('SKIP '));
      const status = r.failed > 0 ? 'FAIL' : 'ok  ';
      console.log(`${status} ${rel}  ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped  (${(ms / 1000).toFixed(1)} s, CPU ${cpu.toFixed(1)} s)${r.note ? '  — ' + r.note : ''}`);
      for (const l of skipLines) console.log(`     ${l}`);
      if (r.failed > 0) for (const n of explainFailure(output, RUN_STARTED)) console.log(`     ${n}`);
      if (r.failed > 0) console.log(output.split('\n').map((l) => '     | ' + l).join('\n'));
      resolve(r);
    });
  });
}

async function main(): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  const filters = process.argv.slice(2);
  if (filters.includes('--help') || filters.includes('-h')) {
    console.log('Usage: run-tests [filter|file…]\n\nRuns test/**/*.test.ts (only paths containing a filter; a path to a .ts file runs that file),\neach in its own process. Env: EGATE_TEST_JOBS, EGATE_TEST_MAX_FILES, EGATE_TEST_FILE_TIMEOUT_MS, EGATE_TEST_PROGRESS_MS, EGATE_TEST_RECORD_TIMES (rewrite test/file-times.json, the longest-first order).');
    return;
  }
  const unknown = filters.find((x) => x.startsWith('-'));
  if (unknown) {
    console.error(`error: unknown option '${unknown}' (run-tests --help)`);
    process.exitCode = 2;
    return;
  }
  // A path to an existing .ts file (the runner's own tests use fixtures outside test/**/*.test.ts).
  const explicit = filters.filter((x) => x.endsWith('.ts') && existsSync(x) && statSync(x).isFile()).map((x) => resolvePath(x));
  const rest = filters.filter((x) => !explicit.includes(resolvePath(x)));
  const found = rest.length || !explicit.length ? findTests(join(ROOT, 'test')).filter((f) => rest.length === 0 || rest.some((x) => f.includes(x))) : [];
  const files = [...explicit, ...found];
  // Longest first (the reference run's times; a new file counts as 10 s and one busy core): the
  // suite ends when its longest file does, so that one must not start last.
  const expected = expectedSeconds();
  const queue: Candidate[] = files
    .map((f) => {
      const e = expected[relative(ROOT, f)];
      return { file: f, wall: e?.wall ?? 10, ...(e?.cpu !== undefined ? { cpu: e.cpu } : {}), serial: readFileSync(f, 'utf8').split('\n', 1)[0]!.includes('@serial') };
    })
    .sort((a, b) => b.wall - a.wall);
  const results: FileResult[] = [];
  const running = new Set<Candidate>();
  const policy = { jobs: Math.max(1, JOBS), maxFiles: Math.max(JOBS, MAX_FILES) };
  await new Promise<void>((done) => {
    const pump = (): void => {
      for (let c = nextFile(queue, [...running], policy); c; c = nextFile(queue, [...running], policy)) {
        const started = c;
        queue.splice(queue.indexOf(started), 1);
        running.add(started);
        void runFile(started.file).then((r) => {
          results.push(r);
          running.delete(started);
          pump();
        });
      }
      if (!queue.length && !running.size) done();
    };
    pump();
  });
  if (process.env.EGATE_TEST_RECORD_TIMES) writeFileSync(TIMES_FILE, JSON.stringify(Object.fromEntries(results.map((r) => [r.file, [Math.round(r.ms / 100) / 10, Math.round(r.cpu * 10) / 10]]).sort()), null, 1) + '\n');
  const sum = (k: 'passed' | 'failed' | 'skipped'): number => results.reduce((a, r) => a + r[k], 0);
  if (files.length === 0) console.log('no test files found');
  console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  process.exitCode = sum('failed') > 0 || files.length === 0 ? 1 : 0;
}

await main();
