import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CliClient } from '../../kiosk/cli/client.ts';
import { generateKeyFile, setTechnician } from '../../kiosk/cli/credentials.ts';
import { ROOT, startTestGate, type TestGate } from './harness.ts';

/** Issue 12 item 11: the technician CLI as used on site, from a shell in some other directory. */
interface Ctx {
  g: TestGate;
  elsewhere: string;
  defaultConfig: string;
  keyFile: string;
}
const t = suite<Ctx>('cli: finding the gate, status, journal -f, technicians, completion, mode');
const BIN = join(ROOT, 'bin/egate.mjs');

/** egate as the technician runs it: no --socket, no EGATE_CONFIG, from an unrelated directory. */
function egate(c: Ctx, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--session-file', join(c.g.dir, 'session.json'), '--technician', 'tech07', '--key-file', c.keyFile, ...args],
      { cwd: c.elsewhere, env: { ...process.env, EGATE_CONFIG: '', EGATE_SOCKET: '', EGATE_DEFAULT_CONFIG: c.defaultConfig, ...env }, timeout: 60_000 },
      (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

t.before(async (ctx) => {
  ctx.g = await startTestGate();
  ctx.elsewhere = mkdtempSync(join(tmpdir(), 'egate-elsewhere-'));
  // The packaged default config (/etc/egate/gate.json), moved for the test by EGATE_DEFAULT_CONFIG.
  ctx.defaultConfig = join(ctx.g.dir, 'gate.json');
  writeFileSync(ctx.defaultConfig, JSON.stringify({ gate: 'CLI-01', local: { socketPath: 'run/egate.sock', technicianCredentialsPath: 'var/keys/technicians.json' } }), { mode: 0o600 });
  ctx.keyFile = join(ctx.g.dir, 'tech07.key');
  await setTechnician(ctx.g.credentialsPath, 'tech07', 'key', generateKeyFile(ctx.keyFile));
});
t.after(async (ctx) => {
  await ctx.g?.close();
  rmSync(ctx.elsewhere, { recursive: true, force: true });
});

t('from another directory the CLI finds the socket through the default config; status shows doors and sensors', async (c) => {
  const r = await egate(c, ['status']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^gate CLI-01/);
  assert.match(r.out, /\ndoors: entry closed, exit closed\n/);
  assert.match(r.out, /\nsensors: .*fire_alarm off.*zone_mantrap off.*mantrap_occupancy 0/);
});

t('no gate: the error says every place it looked, not "gate not running"', async (c) => {
  const r = await egate(c, ['status'], { EGATE_DEFAULT_CONFIG: join(c.elsewhere, 'none.json') });
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`^error GATE_NOT_FOUND: no gate answers: looked in ${c.elsewhere}/var/egate\\.sock \\(the current directory\\), ${ROOT}var/egate\\.sock \\(the install directory\\)\\.`));
  const named = await egate(c, ['--socket', join(c.elsewhere, 'x.sock'), 'status']);
  assert.match(named.err, /looked in .*x\.sock \(--socket\)\./);
});

t('mode set in_service says what will happen', async (c) => {
  assert.is((await egate(c, ['mode', 'set', 'maintenance'])).code, 0);
  const r = await egate(c, ['mode', 'set', 'in_service']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^mode maintenance → out_of_service\nin service by itself once every device has been healthy for 0\.2 s\n$/);
});

t('journal tail -f prints new events as the gate journals them', async (c) => {
  const child = spawn(process.execPath, [BIN, '--session-file', join(c.g.dir, 'session.json'), '--technician', 'tech07', '--key-file', c.keyFile, 'journal', 'tail', '-f', '-n', '1'], {
    cwd: c.elsewhere,
    env: { ...process.env, EGATE_CONFIG: '', EGATE_SOCKET: '', EGATE_DEFAULT_CONFIG: c.defaultConfig },
  });
  let out = '';
  const seen = (re: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => void (re.test(out) && resolve());
      child.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
      child.once('exit', (code) => reject(new Error(`egate exited ${code}: ${out}`)));
      check();
    });
  try {
    await seen(/\n?\s*\d+ \S+ \S+/);
    const before = c.g.control.journalStore.lastSeq();
    c.g.control.journal('maintenance_action', { action: 'follow_marker', by: 'test' });
    await seen(new RegExp(`${before + 1} \\S+ maintenance_action .*follow_marker`));
    // Following does not fill the journal with its own polls.
    const polls = c.g.control.journalStore.readAfter(before + 1, 100).filter((e) => (e.data as { action?: string }).action === 'journal_tail');
    assert.is(polls.length, 0);
  } finally {
    child.kill();
  }
});

t('technician list shows who logs in how and who is locked out; unlock clears it', async (c) => {
  await setTechnician(c.g.credentialsPath, 'tech08', 'pin', '246813');
  for (let i = 0; i < 5; i++) {
    const cl = await CliClient.connect(c.g.socketPath);
    await cl.request('login', { technician: 'tech08', pin: '000000' }).catch(() => {});
    cl.close();
  }
  const list = await egate(c, ['technician', 'list']);
  assert.is(list.code, 0, list.err);
  assert.match(list.out, /tech07 +key file +added \S+\n/);
  assert.match(list.out, /tech08 +PIN +added \S+ +LOCKED until \S+ \(egate technician unlock tech08\)/);
  const un = await egate(c, ['technician', 'unlock', 'tech08']);
  assert.is(un.code, 0, un.err);
  assert.match(un.out, /^technician tech08 unlocked/);
  assert.not.match((await egate(c, ['technician', 'list'])).out, /LOCKED/);
  const cl = await CliClient.connect(c.g.socketPath);
  try {
    assert.ok(await cl.request('login', { technician: 'tech08', pin: '246813' }), 'the unlocked technician logs in');
  } finally {
    cl.close();
  }
});

t('bash completion covers the command tree and is valid bash', async (c) => {
  const r = await egate(c, ['completion', 'bash']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /complete -o default -F _egate_complete egate/);
  assert.match(r.out, /"journal"\) opts="tail verify export/);
  assert.match(r.out, /"technician"\) opts="add remove list unlock/);
  const script = join(c.elsewhere, 'egate.bash');
  writeFileSync(script, r.out);
  execFileSync('bash', ['-n', script]);
  // Completing `egate tech` and `egate journal t` in a real bash.
  const complete = (line: string): string =>
    execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _egate_complete; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' }).trim();
  assert.is(complete('egate tech'), 'technician');
  assert.is(complete('egate journal t'), 'tail');
  assert.is(complete('egate --socket /x mode s'), 'set');
});

t.run();
