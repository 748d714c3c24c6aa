import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../kiosk/log.ts';
import { journaldDestination, journaldPriority } from '../../kiosk/service/journald-log.ts';
import { ServiceNotifier, systemdNotifySend } from '../../kiosk/service/notify.ts';
import { createLogger } from '../../kiosk/log.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * The service manager's side, played by a real AF_UNIX datagram socket (python3): every
 * datagram the real systemd-notify binary sends to $NOTIFY_SOCKET is printed as one JSON line.
 */
const LISTENER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    data = s.recv(4096)
    print(json.dumps(data.decode()), flush=True)
`;

interface Ctx {
  dir: string;
  sock: string;
  listener: ChildProcess;
  got: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const t = peerSuite<Ctx>('service: sd_notify through systemd-notify to a NOTIFY_SOCKET', ['/usr/bin/python3', 'systemd-notify']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-notify-'));
  ctx.sock = join(ctx.dir, 'notify.sock');
  ctx.got = [];
  ctx.listener = spawn('/usr/bin/python3', ['-c', LISTENER, ctx.sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    ctx.listener.once('exit', (c) => reject(new Error(`listener exited ${c}`)));
    ctx.listener.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (l === 'bound') resolve();
        else if (l) ctx.got.push(JSON.parse(l) as string);
      }
    });
  });
});

t.after((ctx) => {
  ctx.listener?.kill();
  rmSync(ctx.dir, { recursive: true, force: true });
});

async function until(fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

t('READY=1 with status, WATCHDOG=1 only while the control loop is alive, STOPPING=1', async (ctx) => {
  let alive = true;
  const env = { ...process.env, NOTIFY_SOCKET: ctx.sock, WATCHDOG_USEC: '400000', WATCHDOG_PID: String(process.pid) };
  // Counted where they are sent: a datagram already on its way when the loop hung may reach the
  // listener process late on a busy machine; what must stop is the notifier sending.
  const real = systemdNotifySend({ env });
  const sent: string[] = [];
  const pings = (): number => sent.filter((m) => m.includes('WATCHDOG=1')).length;
  const n = new ServiceNotifier({ env, isAlive: () => alive, log: silentLogger(), send: (m: string) => (sent.push(m), real(m)) });
  assert.ok(n.enabled);
  assert.is(n.watchdogMs, 200);
  await n.ready('gate T-01 started');
  const ready = ctx.got.find((m) => m.includes('READY=1'));
  assert.ok(ready, `no READY=1 in ${JSON.stringify(ctx.got)}`);
  assert.match(ready!, /STATUS=gate T-01 started/);
  assert.match(ready!, new RegExp(`MAINPID=${process.pid}`));
  await until(() => ctx.got.filter((m) => m.includes('WATCHDOG=1')).length >= 3);

  alive = false; // the crossing engine hangs: the pings stop, so systemd would restart us
  const before = pings();
  await sleep(700); // at least three watchdog intervals of 200 ms
  assert.is(pings(), before, 'pinged while the control loop was dead');

  alive = true;
  await until(() => ctx.got.filter((m) => m.includes('WATCHDOG=1')).length > before);
  await n.stopping();
  await until(() => ctx.got.some((m) => m.includes('STOPPING=1')));
  const after = sent.length;
  await sleep(500);
  assert.is(sent.length, after, `pinged after STOPPING=1: ${JSON.stringify(sent.slice(after))}`);
});

t('outside systemd (no NOTIFY_SOCKET) nothing is sent; a watchdog meant for another pid is ignored', async (ctx) => {
  const count = ctx.got.length;
  const off = new ServiceNotifier({ env: { WATCHDOG_USEC: '400000' }, isAlive: () => true, log: silentLogger() });
  assert.not.ok(off.enabled);
  await off.ready('x');
  const other = new ServiceNotifier({ env: { NOTIFY_SOCKET: ctx.sock, WATCHDOG_USEC: '400000', WATCHDOG_PID: '1' }, isAlive: () => true, log: silentLogger() });
  assert.is(other.watchdogMs, 0);
  await sleep(100);
  assert.is(ctx.got.length, count);
});

t('a failing notify is logged, never thrown', async () => {
  const env = { NOTIFY_SOCKET: '/nonexistent/notify.sock' };
  const n = new ServiceNotifier({ env, isAlive: () => true, log: silentLogger(), send: systemdNotifySend({ env }) });
  await n.ready('x'); // resolves although systemd-notify fails
  n.stop();
});

t('journald lines carry the syslog priority of their pino level; redaction still applies', () => {
  assert.equal([10, 20, 30, 40, 50, 60].map(journaldPriority), [7, 7, 6, 4, 3, 2]);
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', destination: journaldDestination({ write: (l: string) => void lines.push(l) }) as NodeJS.WritableStream });
  log.debug('d');
  log.info({ token: 'SECRET-QR' }, 'i');
  log.warn('w');
  log.error('e');
  assert.equal(lines.map((l) => l.slice(0, 3)), ['<7>', '<6>', '<4>', '<3>']);
  assert.not.match(lines[1]!, /SECRET-QR/);
  assert.ok(JSON.parse(lines[2]!.slice(3)).msg === 'w');
});

t.run();
