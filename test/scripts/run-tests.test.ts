import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// Issue 12 item 9: a file whose before hook threw reported `0 / 18` and no message anywhere.
const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test', 'helpers', 'runner-fixtures');

/** Runs the test runner on one fixture; `onLine` sees its stdout line by line as it comes. */
function runner(fixture: string, env: Record<string, string> = {}, onLine: (l: string) => void = () => {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/run-tests.ts'), join(FIXTURES, fixture)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

test('a before hook that throws: the report names the hook, the suite and the error', async () => {
  const r = await runner('before-throws.ts');
  assert.is(r.code, 1);
  assert.match(r.out, /FAIL test\/helpers\/runner-fixtures\/before-throws\.ts {2}0 passed, 3 failed/);
  assert.match(r.out, /hook failed: the before hook of suite "rig that cannot start" threw; no test of the suite ran: Error: the rig could not start: fixture peer missing/);
});

test('an occupied port is named with the process holding it', async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const port = (holder.address() as AddressInfo).port;
  try {
    const r = await runner('port-busy.ts', { EGATE_FIXTURE_PORT: String(port) });
    assert.is(r.code, 1);
    assert.match(r.out, new RegExp(`port ${port} is in use by node \\(pid ${process.pid}, running \\d+ s\\)`));
  } finally {
    holder.close();
  }
});

test('a long file shows progress while it runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-runner-'));
  const go = join(dir, 'go');
  const progress: string[] = [];
  try {
    const r = await runner('slow.ts', { EGATE_TEST_PROGRESS_MS: '200', EGATE_FIXTURE_GO: go }, (l) => {
      if (!l.startsWith('...')) return;
      progress.push(l);
      // The second test finishes only once the runner has said the first one is done.
      if (/1 test done/.test(l)) writeFileSync(go, '');
    });
    assert.is(r.code, 0, r.out);
    assert.ok(progress.some((l) => /^\.\.\. {2}test\/helpers\/runner-fixtures\/slow\.ts still running after \d+ s: 1 test done$/.test(l)), progress.join('\n'));
    assert.match(r.out, /ok {3}test\/helpers\/runner-fixtures\/slow\.ts {2}2 passed, 0 failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help prints the usage and runs nothing', async () => {
  const r = await new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/run-tests.ts'), '--help'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
  assert.is(r.code, 0);
  assert.match(r.out, /^Usage: run-tests \[filter\|file…\]/);
  assert.not.match(r.out, /passed/);
});

test.run();
