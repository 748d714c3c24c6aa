import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { actionsAfter, ROOT, startTestGate, type TestGate } from './harness.ts';

const t = suite<{ g: TestGate; keyFile: string; session: string }>('cli: the egate command');
const BIN = join(ROOT, 'bin/egate.mjs');

/** Runs egate without a terminal (stdin is /dev/null); never blocks this process, which hosts the gate. */
function egate(g: TestGate, args: string[], session = join(g.dir, 'session.json')): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--socket', g.socketPath, '--session-file', session, ...args], { cwd: g.dir, env: { ...process.env, EGATE_CONFIG: '' } }, (error, out, err) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

t.before(async (ctx) => {
  ctx.g = await startTestGate();
  ctx.keyFile = join(ctx.g.dir, 'tech04.key');
  ctx.session = join(ctx.g.dir, 'session.json');
});
t.after(async (ctx) => ctx.g?.close());

t('technician add --new-key-file writes a 0600 key file and a credentials entry', async ({ g, keyFile }) => {
  const r = await egate(g, ['technician', 'add', 'tech04', '--credentials', g.credentialsPath, '--new-key-file', keyFile]);
  assert.is(r.code, 0, r.err);
  assert.is(statSync(keyFile).mode & 0o777, 0o600);
  assert.ok(JSON.parse(readFileSync(g.credentialsPath, 'utf8')).technicians.tech04);
});

t('without a terminal or key file, a command that needs a login says so', async ({ g }) => {
  const r = await egate(g, ['status']);
  assert.is(r.code, 1);
  assert.match(r.err, /^error NO_TERMINAL: .*--key-file/);
});

t('--key-file logs in, prints the status, and keeps the session (0600) for the next command', async ({ g, keyFile, session }) => {
  const seq = g.control.journalStore.lastSeq();
  const r = await egate(g, ['--technician', 'tech04', '--key-file', keyFile, 'status']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^gate CLI-01 \(pedestrian, site LAB\)/);
  assert.match(r.out, /mode in_service/);
  assert.match(r.out, /sync: not enabled/);
  assert.is(statSync(session).mode & 0o777, 0o600);
  const again = await egate(g, ['journal', 'tail', '-n', '2']);
  assert.is(again.code, 0, again.err);
  assert.match(again.out, /maintenance_action/);
  const logins = actionsAfter(g, seq).filter((a) => a.action === 'login');
  assert.is(logins.length, 1, 'the second command reused the session');
});

t('refusals print the gate code and exit 1', async ({ g }) => {
  const r = await egate(g, ['door', 'open', 'entry']);
  assert.is(r.code, 1);
  assert.match(r.err, /^error NOT_IN_MAINTENANCE: /);
  const bad = join(g.dir, 'bad.json');
  writeFileSync(bad, '{"door":{"driver":"nope"}}');
  const v = await egate(g, ['config', 'validate', bad]);
  assert.is(v.code, 1);
  assert.match(v.out, /INVALID:\n {2}- door\.driver: /);
});

t('journal export writes JSON lines to a new file', async ({ g }) => {
  const file = join(g.dir, 'export.jsonl');
  const r = await egate(g, ['journal', 'export', '--from', '1', '--to', '3', '-o', file]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^3 event\(s\), seq 1\.\.3, written to /);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq), [1, 2, 3]);
  const twice = await egate(g, ['journal', 'export', '-o', file]);
  assert.is(twice.code, 1, 'an existing file is not overwritten');
});

t('a gate that is not running: the error says where it looked', async ({ g }) => {
  const r = await egate(g, ['--socket', join(g.dir, 'nowhere.sock'), 'status']);
  assert.is(r.code, 1);
  assert.match(r.err, /^error GATE_NOT_FOUND: no gate answers: looked in \S+nowhere\.sock \(--socket\)\./);
});

t.run();
