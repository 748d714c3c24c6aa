import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import { applyCommand } from '../../kiosk/sync/command-apply.ts';
import { commandSchema } from '../../kiosk/sync/command-schema.ts';
import { SECRET_COMMAND_TYPES } from '../../kiosk/sync/command-seal.ts';
import type { SyncHost } from '../../kiosk/sync/types.ts';
import { VisaRevocationList } from '../../kiosk/visa/revocations.ts';

const dir = mkdtempSync(join(tmpdir(), 'visa-rev-'));
const path = join(dir, 'visa', 'revocations.json');
// revoke_visas touches only the configured file: a host with just the configuration is enough.
const host = { config: parseConfig({ profile: 'express', visa: { revocationListPath: path } }) } as unknown as SyncHost;
let n = 0;
const cmd = (args: unknown) => commandSchema.parse({ id: `c${++n}`, iat: 1_800_000_000, gate: '*', type: 'revoke_visas', args });

test('revoke_visas is a secret command (visa numbers travel encrypted to the gate)', () => {
  assert.ok(SECRET_COMMAND_TYPES.has('revoke_visas'));
  assert.throws(() => cmd({ mode: 'extend', visas: ['not a visa number'] }));
  assert.throws(() => cmd({ mode: 'extend', visas: ['V1234567'], extra: 1 }));
});

test('the gate list follows the file the central command writes: extend, then replace', () => {
  const list = VisaRevocationList.load(path); // no file yet: nothing revoked
  assert.not.ok(list.isRevoked('V1234567'));
  const a = applyCommand(host, cmd({ mode: 'extend', visas: ['V1234567', 'V7654321'] }));
  assert.ok(a.ok, a.error);
  assert.is(a.journal.data.entries, 2);
  assert.not.ok(JSON.stringify(a.journal.data).includes('V1234567'), 'the journal names no visa');
  assert.ok(list.isRevoked('V1234567'));
  const b = applyCommand(host, cmd({ mode: 'extend', visas: ['V1234567', 'V0000001'] }));
  assert.is(b.journal.data.entries, 3);
  const c = applyCommand(host, cmd({ mode: 'replace', visas: ['V0000001'] }));
  assert.ok(c.ok);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')), { visas: ['V0000001'] });
  assert.not.ok(list.isRevoked('V1234567'));
  assert.ok(list.isRevoked('V0000001'));
});

test('a broken list file leaves the last good list in force (nothing is un-revoked)', () => {
  const list = VisaRevocationList.load(path);
  assert.ok(list.isRevoked('V0000001'));
  writeFileSync(path, '{"visas": [');
  assert.ok(list.isRevoked('V0000001'));
  writeFileSync(path, JSON.stringify({ visas: ['lowercase'] }));
  assert.ok(list.isRevoked('V0000001'));
  assert.throws(() => VisaRevocationList.load(path), (e: unknown) => (e as { code?: string }).code === 'VISA_REVOCATIONS_INVALID');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
