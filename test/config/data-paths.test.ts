import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DATA_PATHS, writablePathsOutsideDataDir } from '../../config/data-paths.ts';
import { loadGateConfig } from '../../config/load.ts';
import type { GateConfig } from '../../config/schema.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';

/** Issue 11 item 7: dataDir is where every store and key lives; the tools open the gate's own files. */
const ROOT = new URL('../../', import.meta.url).pathname;

function site(gate: Record<string, unknown>): { dir: string; file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'egate-datadir-'));
  mkdirSync(join(dir, 'etc'), { mode: 0o700 });
  const file = join(dir, 'etc', 'gate.json');
  writeFileSync(file, JSON.stringify(gate), { mode: 0o600 });
  return { dir, file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function everyPath(c: GateConfig): { key: string; path: string }[] {
  const out: { key: string; path: string }[] = [];
  for (const p of DATA_PATHS) {
    const v = (c as unknown as Record<string, Record<string, string | string[] | undefined>>)[p.section]![p.key];
    for (const path of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.push({ key: `${p.section}.${p.key}`, path });
  }
  return out;
}

test('with dataDir moved (to /var/lib/egate on a site), every store and key the config does not place moves with it', () => {
  const s = site({ gate: 'DD-01', profile: 'express', dataDir: '/var/lib/egate' });
  try {
    const c = loadGateConfig(s.file);
    const escaping = everyPath(c).filter((p) => relative('/var/lib/egate', p.path).startsWith('..'));
    assert.equal(escaping, [], `paths outside dataDir: ${escaping.map((e) => `${e.key}=${e.path}`).join(', ')}`);
    assert.ok(everyPath(c).length >= 17);
    assert.equal(writablePathsOutsideDataDir(c), []);
  } finally {
    s.done();
  }
});

test('a relative dataDir is taken from the config file, as the gate does; a written store placed elsewhere is named', () => {
  const s = site({ gate: 'DD-02', dataDir: '../state', journal: { path: '/tmp/elsewhere/journal.sqlite' } });
  try {
    const c = loadGateConfig(s.file);
    assert.is(c.dataDir, join(s.dir, 'state'));
    assert.is(c.enrolment.path, join(s.dir, 'state', 'enrolment.sqlite'));
    assert.is(c.tokens.replayCachePath, join(s.dir, 'state', 'tokens', 'replay.sqlite'));
    assert.equal(writablePathsOutsideDataDir(c), [{ key: 'journal.path', path: '/tmp/elsewhere/journal.sqlite' }]);
  } finally {
    s.done();
  }
});

test("the README's deployment and the systemd unit agree: dataDir is the unit's one writable directory, the config its configuration directory", () => {
  const unit = readFileSync(join(ROOT, 'deploy/egate.service'), 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const deployment = readme.slice(readme.indexOf('## Deployment'));
  const dataDir = /point `dataDir` in the config at `([^`]+)`/.exec(deployment)?.[1];
  assert.ok(dataDir, 'the README names the dataDir of a deployment');
  const writable = [...unit.matchAll(/^ReadWritePaths=(.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/));
  const state = /^StateDirectory=(.+)$/m.exec(unit)?.[1];
  assert.ok(writable.includes(dataDir!), `ReadWritePaths ${writable.join(' ')} lacks ${dataDir}`);
  assert.is(`/var/lib/${state}`, dataDir);
  assert.match(unit, /^ProtectSystem=strict$/m);
  const configDir = /^ConfigurationDirectory=(.+)$/m.exec(unit)?.[1];
  const configFile = /^ExecStart=.* (\S+\.json)$/m.exec(unit)?.[1];
  assert.is(configFile, `/etc/${configDir}/gate.json`);
  assert.ok(deployment.includes(configFile!), 'the README names the same config file');
});

test('the enrol tool opens the store the gate opens (paths from the config file, not from the working directory)', async () => {
  const s = site({ gate: 'DD-03', dataDir: '../state' });
  const elsewhere = mkdtempSync(join(tmpdir(), 'egate-cwd-'));
  try {
    const c = loadGateConfig(s.file);
    ReferenceStore.open({ path: c.enrolment.path, keyPath: c.enrolment.keyPath, clock: new SystemClock() }).close();
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'scripts/enrol.ts'), '--config', s.file, 'list', '--json'], { cwd: elsewhere, timeout: 60_000 }, (e, out, err) =>
        resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: out + err }),
      ),
    );
    assert.is(r.code, 0, r.out);
    assert.equal(JSON.parse(r.out.trim().split('\n').at(-1)!), []);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
    s.done();
  }
});

test.run();
