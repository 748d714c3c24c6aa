import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadGateConfig } from '../../config/load.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { makePassports } from '../../scripts/make-passport.ts';
import { startService, type ServiceProcess } from '../helpers/service-process.ts';
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

t('the counter starts without token files, serves the visitor and officer pages, the officer logs in, SIGTERM stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-counter-svc-'));
  let svc: ServiceProcess | undefined;
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
    svc = await startService(file);
    const ready = await svc.waitForLog((j) => j.msg === 'service ready');
    assert.is(ready.profile, 'counter');
    const base = `http://127.0.0.1:${svc.port}`;
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
    assert.is(await svc.stop(), 0, svc.seen.join('\n'));
    const config = loadGateConfig(file);
    const journal = Journal.open({ path: config.journal.path, gate: 'CTR-SVC-01', clock: new SystemClock(), secretPath: config.journal.secretPath });
    try {
      const actions = journal.readAfter(0, 1000).filter((e) => e.type === 'officer_action').map((e) => (e.data as { action: string; officer: string }).action);
      assert.equal(actions, ['login']);
    } finally {
      journal.close();
    }
  } finally {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
