import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { createLogger } from '../../kiosk/log.ts';
import { startSync, type SyncHandle } from '../../kiosk/sync/attach.ts';
import { signCommand } from '../../kiosk/sync/command-sign.ts';
import { redactUrl, scrubSecret } from '../../kiosk/sync/redact.ts';
import { syncTopics, type CommandResult } from '../../kiosk/sync/topics.ts';
import { generateP256, type KeyPair } from '../../kiosk/tokens/cose-key.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker, pub, Subscriber, waitFor } from './broker.ts';
import { StoreHost } from './host.ts';

const TOPICS = syncTopics('TST', 'SYNC-01');
const PASSWORD = 'Br0ker-Pa55word';
const MAX_COMMAND = 8 * 1024;

interface Ctx {
  dir: string;
  broker: Broker;
  sub: Subscriber;
  central: KeyPair;
  host: StoreHost;
  h: SyncHandle;
  logText: string[];
  received: number[];
}

const t = peerSuite<Ctx>('sync: bounded input from the broker, no broker password in the log', ['mosquitto', 'mosquitto_sub', 'mosquitto_pub']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-sync-limits-'));
  ctx.broker = await Broker.start();
  ctx.sub = await Subscriber.start(ctx.broker.port, TOPICS.cmdResult);
  ctx.central = generateP256();
  mkdirSync(join(ctx.dir, 'keys'), { recursive: true });
  writeFileSync(join(ctx.dir, 'keys/central.pub.pem'), ctx.central.publicKey.export({ type: 'spki', format: 'pem' }));
  const clock = new SystemClock();
  // mosquitto with anonymous access takes any user name and password: the URL carries one as a production gate's would
  ctx.host = new StoreHost(ctx.dir, clock, { url: `mqtt://gate01:${PASSWORD}@127.0.0.1:${ctx.broker.port}`, maxCommandBytes: MAX_COMMAND });
  ctx.logText = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => { ctx.logText.push(String(chunk)); cb(); } });
  ctx.h = await startSync(ctx.host, { clock, log: createLogger({ level: 'debug', destination: sink }) });
  ctx.received = [];
  ctx.h.sync.link.onMessage((_topic, payload) => ctx.received.push(payload.length));
  await waitFor('connected', () => ctx.h.status().connected);
});

t.after(async (ctx) => {
  await ctx.h?.stop();
  ctx.host?.close();
  await ctx.sub?.close();
  await ctx.broker?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('an oversized message on the command topic never reaches the gate: the broker drops it (MQTT 5 Maximum Packet Size)', async (ctx) => {
  // 2 MB: the gate would otherwise have to buffer it whole before refusing it (the broker allows 256 MB)
  await pub(ctx.broker.port, TOPICS.cmd, new Uint8Array(2 * 1024 * 1024).fill(0x61));
  const id = 'cmd-after-big';
  const small = signCommand(ctx.central.privateKey, { id, iat: Math.floor(Date.now() / 1000), gate: 'SYNC-01', type: 'set_mode', args: { mode: 'maintenance' } });
  await pub(ctx.broker.port, TOPICS.cmd, small);
  await waitFor('result of the command sent after the big one', () => ctx.sub.messages<CommandResult>(TOPICS.cmdResult).some((r) => r.id === id));
  assert.equal(ctx.sub.messages<CommandResult>(TOPICS.cmdResult).find((r) => r.id === id), { id, ok: true });
  assert.equal(ctx.received, [small.length], 'only the small command was delivered to the gate');
  assert.ok(Math.max(...ctx.received) <= MAX_COMMAND + 4096);
  assert.is(ctx.h.sync.link.connects, 1, 'the link was never dropped');
});

t('the broker password is in no log line, while the log does name the broker', async (ctx) => {
  const all = ctx.logText.join('');
  assert.match(all, 'connected to broker');
  assert.match(all, `gate01:***@127.0.0.1:${ctx.broker.port}`);
  assert.not.ok(all.includes(PASSWORD), 'password logged');
});

t('redaction: password and secret query parameters; free text quoting the URL', () => {
  const url = `mqtts://gate:${PASSWORD}@broker.example:8883/?token=abc`;
  assert.is(redactUrl(url), 'mqtts://gate:***@broker.example:8883/?token=***');
  assert.is(redactUrl('mqtt://broker:1883'), 'mqtt://broker:1883');
  assert.is(scrubSecret(`connect failed to ${url}: ${PASSWORD} refused`, url).includes(PASSWORD), false);
  assert.is(redactUrl(`not a url //u:${PASSWORD}@h`).includes(PASSWORD), false);
});

t.run();
