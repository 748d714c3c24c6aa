/**
 * Runs every test/**\/*.test.ts file in its own Node process (isolation: a test that
 * leaks a serial port or a worker cannot hang the others), two at a time on the 2-core
 * machine, longest first. Files whose first line contains `@serial` (one pcscd per machine,
 * heavy gate processes) run one after another in one lane, never two at once, beside the
 * other lane. Ends with the one line CI reads: `N passed, N failed, N skipped`.
 *
 *   node --import tsx scripts/run-tests.ts [filter…]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve as resolvePath } from 'node:path';
import { explainFailure, progressLine } from './test-diagnosis.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const FILE_TIMEOUT_MS = Number(process.env.EGATE_TEST_FILE_TIMEOUT_MS ?? 8 * 60_000);
const JOBS = Number(process.env.EGATE_TEST_JOBS ?? 2);
const LOG_DIR = join(ROOT, 'artifacts', 'test-logs');
const PROGRESS_MS = Number(process.env.EGATE_TEST_PROGRESS_MS ?? 30_000);
/** Makes a throwing before/after hook print its error (uvu swallows it): test/helpers/uvu-guard.mjs. */
const HOOK_GUARD = join(ROOT, 'test', 'helpers', 'uvu-guard-register.mjs');
const RUN_STARTED = Date.now();
/** Seconds each file took on a reference run (EGATE_TEST_RECORD_TIMES=1 rewrites it); only the order of the run depends on it. */
const TIMES_FILE = join(ROOT, 'test', 'file-times.json');

function expectedSeconds(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(TIMES_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
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
      if (timedOut) r = { file: rel, passed: totals?.passed ?? 0, failed: 1, skipped: 0, ms, note: `timed out after ${FILE_TIMEOUT_MS} ms` };
      else if (!totals) r = { file: rel, passed: 0, failed: 1, skipped: 0, ms, note: `exited ${code} without a uvu summary` };
      else {
        const failed = totals.total - totals.passed;
        r = { file: rel, passed: totals.passed, failed: failed === 0 && code !== 0 ? 1 : failed, skipped: totals.skipped, ms };
        if (failed === 0 && code !== 0) r.note = `exit code ${code}`;
      }
      const skipLines = output.split('\n').filter((l) => l.startsWith('SKIP '));
      const status = r.failed > 0 ? 'FAIL' : 'ok  ';
      console.log(`${status} ${rel}  ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped  (${(ms / 1000).toFixed(1)} s)${r.note ? '  — ' + r.note : ''}`);
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
    console.log('Usage: run-tests [filter|file…]\n\nRuns test/**/*.test.ts (only paths containing a filter; a path to a .ts file runs that file),\neach in its own process. Env: EGATE_TEST_JOBS, EGATE_TEST_FILE_TIMEOUT_MS, EGATE_TEST_PROGRESS_MS, EGATE_TEST_RECORD_TIMES (rewrite test/file-times.json, the longest-first order).');
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
  const serial = files.filter((f) => readFileSync(f, 'utf8').split('\n', 1)[0]!.includes('@serial'));
  const parallel = files.filter((f) => !serial.includes(f));
  // Longest first (the last run's times, else the committed ones): the suite ends when its
  // longest file does, so that one must not start last.
  const expected = expectedSeconds();
  const longestFirst = (a: string, b: string): number => (expected[relative(ROOT, b)] ?? 10) - (expected[relative(ROOT, a)] ?? 10);
  serial.sort(longestFirst);
  parallel.sort(longestFirst);
  const results: FileResult[] = [];
  // Lane 0 takes the @serial files (one pcscd per machine; heavy gate processes) one after
  // another while the other lane runs the rest; then it joins. Two @serial files never overlap,
  // and no more than JOBS files ever run at once (the suite must pass beside two CPU burners).
  await Promise.all(
    Array.from({ length: Math.max(1, JOBS) }, async (_, lane) => {
      if (lane === 0) for (let f = serial.shift(); f; f = serial.shift()) results.push(await runFile(f));
      for (let f = parallel.shift(); f; f = parallel.shift()) results.push(await runFile(f));
    }),
  );
  if (process.env.EGATE_TEST_RECORD_TIMES) writeFileSync(TIMES_FILE, JSON.stringify(Object.fromEntries(results.map((r) => [r.file, Math.round(r.ms / 100) / 10]).sort()), null, 1) + '\n');
  const sum = (k: 'passed' | 'failed' | 'skipped'): number => results.reduce((a, r) => a + r[k], 0);
  if (files.length === 0) console.log('no test files found');
  console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  process.exitCode = sum('failed') > 0 || files.length === 0 ? 1 : 0;
}

await main();
