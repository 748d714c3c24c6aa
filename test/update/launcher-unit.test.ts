import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './update-world.ts';

/**
 * deploy/egate-launcher.service (issue 18): the unit the README's deployment installs for a
 * gate in A/B slots. Parsed and checked against what the launcher needs — its entry exists,
 * it notifies READY through a helper, restarts always, writes only the data directory (where
 * the release slots live by default) — and, where systemd is installed, `systemd-analyze verify`.
 */
const UNIT = join(ROOT, 'deploy', 'egate-launcher.service');

function parseUnit(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `not a key=value line: ${line}`);
    const key = `${section}.${line.slice(0, eq)}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

test('the launcher unit starts launcher-main.ts with the gate config, notifies, restarts, writes only /var/lib/egate', () => {
  const u = parseUnit(readFileSync(UNIT, 'utf8'));
  const one = (k: string): string => {
    const v = u.get(k);
    assert.ok(v && v.length === 1, `${k} set once`);
    return v![0]!;
  };
  const exec = one('Service.ExecStart').split(/\s+/);
  assert.equal(exec.slice(0, 3), ['/usr/bin/node', '--import', 'tsx']);
  assert.is(exec[3], '/opt/egate/kiosk/update/launcher-main.ts');
  assert.ok(existsSync(join(ROOT, 'kiosk/update/launcher-main.ts')), 'the entry exists in the code installed at /opt/egate');
  assert.is(exec[4], '/etc/egate/gate.json');
  assert.is(one('Service.Type'), 'notify');
  assert.is(one('Service.NotifyAccess'), 'all', 'READY comes from a systemd-notify helper process');
  assert.is(one('Service.Restart'), 'always');
  assert.ok(Number.parseInt(one('Service.TimeoutStartSec'), 10) >= 120, 'room for the release to load its models');
  assert.is(one('Service.ProtectSystem'), 'strict');
  assert.equal(u.get('Service.ReadWritePaths'), ['/var/lib/egate'], 'only the data directory is writable');
  assert.is(one('Service.StateDirectory'), 'egate');
  // The slots default to <dataDir>/releases (launcher-main.ts); README points dataDir at /var/lib/egate.
  assert.match(readFileSync(join(ROOT, 'kiosk/update/launcher-main.ts'), 'utf8'), /join\(config\.dataDir, 'releases'\)/);
  assert.is(one('Service.KillMode'), 'mixed', 'the launcher stops its release itself before systemd kills what is left');
  assert.is(one('Install.WantedBy'), 'multi-user.target');
});

test('systemd-analyze verify accepts the unit', () => {
  let have = true;
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
  } catch {
    have = false;
  }
  if (!have) {
    if (process.env.CI === 'true') assert.unreachable('systemd-analyze is missing (CI)');
    console.log('SKIP systemd-analyze verify: systemd-analyze not installed');
    return;
  }
  const r = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  // Warnings about this unit (unknown keys, bad values) come on stderr with the file's name.
  assert.not.match(r.stderr, /egate-launcher\.service/, r.stderr);
});

test.run();
