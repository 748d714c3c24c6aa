import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkConfigFile } from '../../kiosk/config-check.ts';
import { startService } from '../helpers/service-process.ts';

/**
 * A kiosk profile started by the real service (kiosk/service/run.ts), as systemd starts it:
 * the passport-photo kiosk verifies no credential, so it must come up without a token trust
 * list (it stopped at TRUST_LIST_MISSING), serve its touch page and stop in order on SIGTERM.
 * The counter needs the states' CSCA certificates but no token files; the collection kiosk
 * checks signed slips, so it still needs the trust list.
 */
function writeConfig(dir: string, profile: string): string {
  const file = join(dir, `${profile}.json`);
  writeFileSync(file, JSON.stringify({ gate: `${profile.toUpperCase()}-01`, profile, dataDir: 'var', camera: { driver: 'simulated' }, readers: { scanners: [{ kind: 'simulated' }] } }), { mode: 0o600 });
  return file;
}

test('a photo kiosk started by the service comes up without token files, serves its touch page and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-kiosk-svc-'));
  const svc = await startService(writeConfig(dir, 'photo'));
  try {
    const ready = await svc.waitForLog((j) => j.msg === 'service ready');
    assert.is(ready.profile, 'photo');
    const health = await fetch(`http://127.0.0.1:${svc.port}/healthz`);
    assert.is(health.status, 200, await health.text());
    const page = await fetch(`http://127.0.0.1:${svc.port}/kiosk`);
    assert.is(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.is(await svc.stop(), 0, svc.seen.join('\n'));
  } finally {
    if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
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
