import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadGateConfig } from '../../config/load.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { makePassports } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * The counter profile run by the real service (kiosk/service/run.ts → kiosk/seat/run-kiosk.ts),
 * as systemd starts it: with the states' CSCA certificates and an officers file, no token
 * files; the visitor's page and the officer's page on the display server; the officer logs
 * in over HTTP (HttpOnly, SameSite=Strict cookie) and sees the station waiting for a
 * passport; SIGTERM stops it in order, and the login is in the journal.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const t = peerSuite('counter profile through the real service', ['openssl', 'ffmpeg']);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Resolves with the child's JSON log line that satisfies `pred`, or rejects when it exits first. */
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

t('the counter starts without token files, serves the visitor and officer pages, the officer logs in, SIGTERM stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-counter-svc-'));
  const seen: string[] = [];
  let child: ChildProcess | undefined;
  try {
    const { pki } = await makePassports(join(dir, 'passports'), { kinds: ['valid'], photo: join(ROOT, 'fixtures/faces/person01-2.jpg') });
    const officers = join(dir, 'var/officers.json');
    await setTechnician(officers, 'OFF-21', 'pin', '135791', { N: 2 ** 10, r: 8, p: 1 });
    const file = join(dir, 'counter.json');
    writeFileSync(
      file,
      JSON.stringify({
        gate: 'CTR-SVC-01',
        profile: 'counter',
        dataDir: 'var',
        camera: { driver: 'simulated' },
        passport: { chipReader: 'simulated', mrzReader: { kind: 'simulated' }, cscaPaths: [pki.cscaPem], crlPaths: [pki.crlPem] },
        counter: { officerCredentialsPath: officers },
      }),
      { mode: 0o600 },
    );
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kiosk/service/run.ts'), file], {
      cwd: ROOT,
      // the runner silences logs (EGATE_LOG_LEVEL=silent); this test reads the service's own 'service ready'
      env: { ...process.env, EGATE_DISPLAY_PORT: String(port), EGATE_DISPLAY_HOST: '127.0.0.1', EGATE_LOG_FORMAT: 'json', EGATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => seen.push(`stderr: ${d.toString().trim()}`));
    const ready = await waitForLog(child, (j) => j.msg === 'service ready', seen);
    assert.is(ready.profile, 'counter');
    const base = `http://127.0.0.1:${port}`;
    assert.is((await fetch(`${base}/healthz`)).status, 200);
    assert.match(await (await fetch(`${base}/kiosk`)).text(), /<html/i);
    const login = await fetch(`${base}/officer`);
    assert.match(await login.text(), /id="pin"/);
    const posted = await fetch(`${base}/officer/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ officer: 'OFF-21', pin: '135791' }).toString(),
    });
    assert.is(posted.status, 303);
    const cookie = posted.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const page = await (await fetch(`${base}/officer`, { headers: { cookie: cookie.split(';')[0]! } })).text();
    assert.match(page, /data-step="ready"/);
    assert.match(page, /OFF-21/);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.is(await exited, 0, seen.join('\n'));
    const config = loadGateConfig(file);
    const journal = Journal.open({ path: config.journal.path, gate: 'CTR-SVC-01', clock: new SystemClock(), secretPath: config.journal.secretPath });
    try {
      const actions = journal.readAfter(0, 1000).filter((e) => e.type === 'officer_action').map((e) => (e.data as { action: string; officer: string }).action);
      assert.equal(actions, ['login']);
    } finally {
      journal.close();
    }
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
