import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CliClient } from '../../kiosk/cli/client.ts';
import { generateKeyFile, readKeyFile, setTechnician } from '../../kiosk/cli/credentials.ts';
import { startCliServer } from '../../kiosk/cli/server.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { actionsAfter, loggedIn, refusal, startTestGate, TECH, TECH2, type TestGate } from './harness.ts';

const t = suite<{ g: TestGate; keyFile: string }>('cli: socket and technician login');

t.before(async (ctx) => {
  ctx.g = await startTestGate({ config: { local: { loginMaxFailures: 3, loginSocketMaxFailures: 8 } } });
  await setTechnician(ctx.g.credentialsPath, TECH.id, 'pin', TECH.pin);
  await setTechnician(ctx.g.credentialsPath, TECH2.id, 'pin', TECH2.pin);
  ctx.keyFile = join(ctx.g.dir, 'tech03.key');
  await setTechnician(ctx.g.credentialsPath, 'tech03', 'key', generateKeyFile(ctx.keyFile));
});
t.after(async (ctx) => ctx.g?.close());

/** Forgets every failed login (as if the lockout file were new) and restarts the server. */
async function clearLockout(g: TestGate): Promise<void> {
  rmSync(`${g.credentialsPath}.lockout.json`, { force: true });
  await g.restartServer();
}

const login = async (g: TestGate, technician: string, secret: Record<string, string>): Promise<unknown> => {
  const c = await CliClient.connect(g.socketPath);
  try {
    return await c.request('login', { technician, ...secret });
  } finally {
    c.close();
  }
};

t('the socket is created mode 0600 and the credentials file holds only hashes, 0600', ({ g }) => {
  const st = statSync(g.socketPath);
  assert.ok(st.isSocket());
  assert.is(st.mode & 0o777, 0o600);
  assert.is(statSync(g.credentialsPath).mode & 0o777, 0o600);
  const creds = readFileSync(g.credentialsPath, 'utf8');
  assert.not.ok(creds.includes(TECH.pin), 'no PIN in the credentials file');
  assert.ok(JSON.parse(creds).technicians.tech01.hash.length > 20);
});

t('a good PIN logs in and is journalled without the PIN; commands need the session', async ({ g }) => {
  const seq = g.control.journalStore.lastSeq();
  const c = await loggedIn(g);
  assert.ok(c.session && c.session.length >= 40);
  const bare = await CliClient.connect(g.socketPath);
  assert.is(await refusal(bare.request('status')), 'LOGIN_REQUIRED');
  bare.session = 'not-a-session';
  assert.is(await refusal(bare.request('status')), 'LOGIN_REQUIRED');
  bare.close();
  assert.is(((await c.request('status')) as { gate: string }).gate, 'CLI-01');
  await c.request('logout');
  assert.is(await refusal(c.request('status')), 'LOGIN_REQUIRED', 'logout ends the session');
  c.close();
  const acts = actionsAfter(g, seq);
  assert.equal(acts[0], { action: 'login', by: 'tech01', result: 'ok', method: 'pin' });
  const all = JSON.stringify(g.control.journalStore.readAfter(0, 10_000));
  assert.not.ok(all.includes(TECH.pin), 'the PIN is nowhere in the journal');
});

t('wrong PINs lock the technician out after 3 tries, even against the right PIN, across a restart', async ({ g }) => {
  await clearLockout(g);
  const seq = g.control.journalStore.lastSeq();
  assert.is(await refusal(login(g, TECH.id, { pin: '000000' })), 'LOGIN_FAILED');
  assert.is(await refusal(login(g, TECH.id, { pin: '111111' })), 'LOGIN_FAILED');
  assert.is(await refusal(login(g, TECH.id, { pin: '222222' })), 'LOCKED_OUT', 'the third failure locks');
  assert.is(await refusal(login(g, TECH.id, { pin: TECH.pin })), 'LOCKED_OUT', 'the right PIN is refused while locked');
  await g.restartServer();
  assert.is(await refusal(login(g, TECH.id, { pin: TECH.pin })), 'LOCKED_OUT', 'a restart does not reset the lockout');
  await login(g, TECH2.id, { pin: TECH2.pin });
  const results = actionsAfter(g, seq).filter((a) => a.action === 'login').map((a) => `${a.by}:${a.result}`);
  assert.equal(results, ['tech01:failed', 'tech01:failed', 'tech01:locked_out', 'tech01:locked_out', 'tech01:locked_out', 'tech02:ok']);
  const lockFile = readFileSync(`${g.credentialsPath}.lockout.json`, 'utf8');
  assert.not.ok(lockFile.includes('tech01'), 'the lockout file keeps hashed ids only');
  assert.is(statSync(`${g.credentialsPath}.lockout.json`).mode & 0o777, 0o600);
});

t('an unknown id is journalled as a short hash, never as typed', async ({ g }) => {
  await clearLockout(g);
  const seq = g.control.journalStore.lastSeq();
  assert.is(await refusal(login(g, '98765432', { pin: '123456' })), 'LOGIN_FAILED');
  const [a] = actionsAfter(g, seq);
  assert.match(String(a?.by), /^unknown:[0-9a-f]{8}$/);
  assert.not.ok(JSON.stringify(g.control.journalStore.readAfter(seq, 100)).includes('98765432'));
});

t('failures across many ids lock every login on the socket (id spraying)', async ({ g }) => {
  await clearLockout(g);
  for (let i = 0; i < 7; i++) assert.is(await refusal(login(g, `guess${i}`, { pin: '123456' })), 'LOGIN_FAILED');
  assert.is(await refusal(login(g, 'guess7', { pin: '123456' })), 'LOCKED_OUT');
  assert.is(await refusal(login(g, TECH2.id, { pin: TECH2.pin })), 'LOCKED_OUT', 'a good technician waits out the cool-down too');
});

t('a key file logs in; the wrong key, a PIN for a key technician and a world-readable key file do not', async ({ g, keyFile }) => {
  await clearLockout(g);
  const r = (await login(g, 'tech03', { key: readKeyFile(keyFile) })) as { technician: string };
  assert.is(r.technician, 'tech03');
  assert.is(await refusal(login(g, 'tech03', { key: 'x'.repeat(43) })), 'LOGIN_FAILED');
  assert.is(await refusal(login(g, TECH.id, { key: readKeyFile(keyFile) })), 'LOGIN_FAILED', 'a PIN technician cannot log in with a key');
  chmodSync(keyFile, 0o644);
  assert.throws(() => readKeyFile(keyFile), /readable by others/);
  chmodSync(keyFile, 0o600);
});

t('garbage on the socket gets BAD_REQUEST and the connection keeps serving', async ({ g }) => {
  await clearLockout(g);
  const c = await loggedIn(g);
  const raw = await new Promise<string>((resolve) => {
    const s = connect(g.socketPath, () => s.write('{not json\n'));
    s.once('data', (d: Buffer) => {
      s.destroy();
      resolve(d.toString());
    });
  });
  assert.is(JSON.parse(raw).error.code, 'BAD_REQUEST');
  assert.is(await refusal(c.request('no.such.command')), 'UNKNOWN_COMMAND');
  assert.is(await refusal(c.request('door', { action: 'explode', door: 'entry' })), 'BAD_REQUEST');
  assert.is(((await c.request('status')) as { gate: string }).gate, 'CLI-01');
  c.close();
});

t('no gate: GATE_NOT_RUNNING for a missing socket and for a stale one; a stale socket is replaced, a live one or a file is not', async ({ g }) => {
  await g.stopServer();
  assert.is(await refusal(CliClient.connect(g.socketPath)), 'GATE_NOT_RUNNING');
  // A socket file left by a dead process: bound, never listening, process gone.
  execFileSync('/usr/bin/python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(g.socketPath)})`]);
  assert.ok(statSync(g.socketPath).isSocket());
  assert.is(await refusal(CliClient.connect(g.socketPath)), 'GATE_NOT_RUNNING');
  await g.restartServer();
  (await loggedIn(g, TECH2)).close();
  const deps = { clock: new SystemClock(), log: silentLogger(), socketPath: g.socketPath, credentialsPath: g.credentialsPath };
  assert.is(await refusal(startCliServer(g.control, deps)), 'SOCKET_IN_USE');
  const file = join(g.dir, 'run', 'not-a-socket');
  writeFileSync(file, 'x');
  assert.is(await refusal(startCliServer(g.control, { ...deps, socketPath: file })), 'SOCKET_UNSAFE');
  assert.is(readFileSync(file, 'utf8'), 'x', 'a regular file is left alone');
});

t.run();
