import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkConfigFile } from '../../kiosk/config-check.ts';

/**
 * A kiosk profile started by the real service (kiosk/service/run.ts), as systemd starts it:
 * the passport-photo kiosk verifies no credential, so it must come up without a token trust
 * list (it stopped at TRUST_LIST_MISSING), serve its touch page and stop in order on SIGTERM.
 * The counter needs the states' CSCA certificates but no token files; the collection kiosk
 * checks signed slips, so it still needs the trust list.
 */
const ROOT = new URL('../../', import.meta.url).pathname;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function writeConfig(dir: string, profile: string): string {
  const file = join(dir, `${profile}.json`);
  writeFileSync(file, JSON.stringify({ gate: `${profile.toUpperCase()}-01`, profile, dataDir: 'var', camera: { driver: 'simulated' }, readers: { scanners: [{ kind: 'simulated' }] } }), { mode: 0o600 });
  return file;
}

/** Resolves with the child's parsed JSON log line that satisfies `pred`, or rejects when it exits first. */
function waitForLog(child: ChildProcess, pred: (line: Record<string, unknown>) => boolean, seen: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        seen.push(line);
        try {
          const j = JSON.parse(line) as Record<string, unknown>;
          if (pred(j)) {
            child.stdout!.off('data', onData);
            resolve(j);
            return;
          }
        } catch {
          // not a log line
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`service exited ${code} before the line:\n${seen.join('\n')}`)));
  });
}

test('a photo kiosk started by the service comes up without token files, serves its touch page and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-kiosk-svc-'));
  const seen: string[] = [];
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kiosk/service/run.ts'), writeConfig(dir, 'photo')], {
    cwd: ROOT,
    // The test runner silences logs (EGATE_LOG_LEVEL=silent); this test reads the service's own 'service ready'.
    env: { ...process.env, EGATE_DISPLAY_PORT: String(port), EGATE_DISPLAY_HOST: '127.0.0.1', EGATE_LOG_FORMAT: 'json', EGATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => seen.push(`stderr: ${d.toString().trim()}`));
  try {
    const ready = await waitForLog(child, (j) => j.msg === 'service ready', seen);
    assert.is(ready.profile, 'photo');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.is(health.status, 200, await health.text());
    const page = await fetch(`http://127.0.0.1:${port}/kiosk`);
    assert.is(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.is(await exited, 0, seen.join('\n'));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what each kiosk profile needs on disk: photo no token files, counter CSCA only, collection the trust list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-kiosk-needs-'));
  try {
    const required = (profile: string): string[] => checkConfigFile(writeConfig(dir, profile)).missing.filter((m) => m.required).map((m) => m.what);
    assert.equal(required('photo'), []);
    assert.ok(required('counter').every((w) => /CSCA|CRL|master list/.test(w)), required('counter').join(', '));
    assert.not.ok(required('counter').some((w) => /trust list/.test(w)));
    assert.ok(required('collection').includes('trust list (issuer keys)'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
