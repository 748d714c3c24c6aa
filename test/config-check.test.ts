import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../config/load.ts';
import { checkConfigFile, formatConfigCheck } from '../kiosk/config-check.ts';
import { runService } from '../kiosk/service/run.ts';
import { createTokenWorld } from '../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../kiosk/tokens/world-files.ts';

// Issue 12 item 10: one example per profile, a `config check` listing missing key files with the
// command that makes them, and a configured gate without its keys saying which and how.
const ROOT = new URL('../', import.meta.url).pathname;
const EXAMPLES = join(ROOT, 'config', 'examples');

test('there is one example configuration per profile, and each one validates as its profile', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();
  assert.equal(files, ['express.json', 'pedestrian.json', 'vehicle.json']);
  for (const f of files) {
    const c = checkConfigFile(join(EXAMPLES, f));
    assert.equal(c.issues, [], f);
    assert.is(c.config!.profile, f.replace('.json', ''));
    assert.is(c.config!.door.driver, 'modbus', `${f} describes real hardware`);
  }
});

test('config check lists each missing key file with the command that makes it', () => {
  const r = formatConfigCheck(checkConfigFile(join(EXAMPLES, 'pedestrian.json')));
  assert.not.ok(r.ok);
  const text = r.lines.join('\n');
  assert.match(text, /valid \(gate ECH-A01, profile pedestrian/);
  assert.match(text, /missing — the gate will not start without them:\n {2}- trust list \(issuer keys\): \/var\/lib\/egate\/keys\/trust-list\.json — make it with: npm run token-tool -- init --dir \/var\/lib\/egate\/keys/);
  assert.match(text, /fleet key directory: \/var\/lib\/egate\/keys\/fleet — make it with: npm run token-tool/);
  assert.match(text, /technician credentials .* make it with: egate technician add <id> --credentials \/var\/lib\/egate\/keys\/technicians\.json/);
  const express = formatConfigCheck(checkConfigFile(join(EXAMPLES, 'express.json'))).lines.join('\n');
  assert.match(express, /CSCA certificates: \/etc\/egate\/passport\/csca — make it with: .*make-passport/);
});

test('with the files made as it says, the check passes; an invalid file names its fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-check-'));
  try {
    const file = join(dir, 'gate.json');
    writeFileSync(file, JSON.stringify({ gate: 'T-1', tokens: { fleetKeysDir: 'keys/fleet', trustListPath: 'keys/trust-list.json', revocationListPath: 'keys/revocations.json' } }), { mode: 0o600 });
    const before = checkConfigFile(file);
    assert.equal(before.missing.filter((m) => m.required).map((m) => m.path), ['keys/trust-list.json', 'keys/revocations.json', 'keys/fleet'].map((p) => join(dir, p)));
    saveTokenWorld(createTokenWorld({ nowMs: Date.now() }), join(dir, 'keys')); // what `token-tool init --dir keys` writes
    const after = formatConfigCheck(checkConfigFile(file));
    assert.ok(after.ok, after.lines.join('\n'));
    assert.match(after.lines.at(-1)!, /^ready to start$/);
    writeFileSync(file, JSON.stringify({ door: { driver: 'nope' } }), { mode: 0o600 });
    const bad = formatConfigCheck(checkConfigFile(file));
    assert.not.ok(bad.ok);
    assert.match(bad.lines.join('\n'), /INVALID\n {2}- door\.driver: Invalid option/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a configured gate that lacks its keys refuses to start, naming each file and the command', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-nokeys-'));
  try {
    const file = join(dir, 'gate.json');
    writeFileSync(file, JSON.stringify({ gate: 'T-2', dataDir: dir }), { mode: 0o600 });
    let err: (Error & { code?: string }) | undefined;
    await runService(file).catch((e: Error) => (err = e));
    assert.is(err?.code, 'GATE_FILES_MISSING');
    assert.match(err!.message, /lacks 3 file\(s\) it needs:\n {2}- trust list \(issuer keys\): .*keys\/trust-list\.json — make it with: npm run token-tool -- init --dir /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('egate config check runs without a gate and exits 1 when the gate would not start', async () => {
  const r = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile(process.execPath, [join(ROOT, 'bin/egate.mjs'), 'config', 'check', join(EXAMPLES, 'vehicle.json')], { timeout: 60_000 }, (e, out) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out }),
    ),
  );
  assert.is(r.code, 1);
  assert.match(r.out, /vehicle\.json: valid \(gate VEH-B01, profile vehicle/);
  assert.match(r.out, /NOT ready to start\n$/);
  assert.ok(parseConfig({ profile: 'vehicle' }).door.layout === 'vehicle');
});

test.run();
