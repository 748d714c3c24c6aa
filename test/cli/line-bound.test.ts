import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import { CliClient } from '../../kiosk/cli/client.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { LineSplitter, MAX_LINE_BYTES, MAX_LINE_BYTES_BEFORE_LOGIN } from '../../kiosk/cli/protocol.ts';
import { startCliServer } from '../../kiosk/cli/server.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import type { GateControl } from '../../kiosk/control.ts';
import { silentLogger } from '../../kiosk/log.ts';

const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

/** The CLI server on its own: the line bound is decided before any command reaches the gate. */
async function server() {
  const dir = mkdtempSync(join(tmpdir(), 'egate-cli-bound-'));
  const credentialsPath = join(dir, 'technicians.json');
  await setTechnician(credentialsPath, 'tech01', 'pin', '123456', FAST_SCRYPT);
  const journalled: Record<string, unknown>[] = [];
  const control = { config: parseConfig({}), journal: (_t: string, d: Record<string, unknown>) => journalled.push(d) } as unknown as GateControl;
  const socketPath = join(dir, 'egate.sock');
  const s = await startCliServer(control, { clock: new SystemClock(), log: silentLogger(), socketPath, credentialsPath });
  return { socketPath, journalled, done: async () => { await s.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Writes `data` and collects what the gate answers until it closes the connection (or 20 s pass). */
function exchange(path: string, data: Buffer): Promise<{ answer: string; closed: boolean; sock: Socket }> {
  return new Promise((resolve) => {
    const sock = connect(path);
    let answer = '';
    let settled = false;
    const done = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ answer, closed, sock });
    };
    const deadline = setTimeout(() => done(false), 20_000);
    sock.on('data', (d) => (answer += d.toString()));
    sock.on('error', () => {});
    sock.on('close', () => done(true));
    sock.on('connect', () => sock.write(data));
  });
}

test('before login a request line is at most 64 KiB: a longer one (no newline yet) is answered BAD_REQUEST and the socket closed', async () => {
  const s = await server();
  const r = await exchange(s.socketPath, Buffer.alloc(MAX_LINE_BYTES_BEFORE_LOGIN + 1024, 0x41));
  assert.ok(r.closed, 'the gate closed the connection');
  const reply = JSON.parse(r.answer.split('\n')[0]!) as { ok: boolean; error: { code: string; message: string } };
  assert.is(reply.error.code, 'BAD_REQUEST');
  assert.match(reply.error.message, String(MAX_LINE_BYTES_BEFORE_LOGIN));
  await s.done();
});

test('a long complete line without a session is refused too, and so is one with a made-up session', async () => {
  const s = await server();
  const pad = 'x'.repeat(MAX_LINE_BYTES_BEFORE_LOGIN);
  const line = (o: object) => Buffer.from(JSON.stringify(o) + '\n');
  const a = await exchange(s.socketPath, line({ id: 1, cmd: 'login', args: { technician: 'tech01', pin: '123456', pad } }));
  assert.ok(a.closed);
  assert.match(a.answer, 'BAD_REQUEST');
  const b = await exchange(s.socketPath, line({ id: 1, cmd: 'status', session: 'A'.repeat(43), args: { pad } }));
  assert.ok(b.closed);
  assert.match(b.answer, 'BAD_REQUEST');
  await s.done();
});

test('a logged-in technician still sends long lines (an enrolment photo): the session opens the line', async () => {
  const s = await server();
  const c = await CliClient.connect(s.socketPath);
  const r = (await c.request('login', { technician: 'tech01', pin: '123456' })) as { session: string };
  c.session = r.session;
  // a fresh connection, as every egate command opens one, with 1 MiB of args
  const d = await CliClient.connect(s.socketPath);
  d.session = r.session;
  const err = await d.request('no.such.command', { photo: 'A'.repeat(1024 * 1024) }).catch((e: { code: string }) => e.code);
  assert.is(err, 'UNKNOWN_COMMAND', 'the line was read whole and reached the command table');
  d.close();
  c.close();
  await s.done();
});

test('LineSplitter counts bytes, keeps a character split across chunks, and bounds every line', () => {
  const l = new LineSplitter(16);
  const text = Buffer.from('語言\n');
  assert.equal([...l.push(text.subarray(0, 2)), ...l.push(text.subarray(2))], ['語言']);
  assert.throws(() => l.push(Buffer.from('é'.repeat(9))), /longer than 16 bytes/);
  const guarded = new LineSplitter({ maxBytes: 64, maxBytesUntrusted: 8, allowLong: (head) => head.startsWith('ok') });
  assert.equal(guarded.push('ok-this-is-long\n'), ['ok-this-is-long']);
  assert.throws(() => guarded.push('no-this-is-long\n'), /longer than 8 bytes/);
  assert.throws(() => guarded.push('ok' + 'x'.repeat(70)), /longer than 64 bytes/);
  assert.is(MAX_LINE_BYTES, 16 * 1024 * 1024);
});

test.run();
