import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { templateToBytes } from '../../kiosk/enrolment/sealed.ts';
import { publicKeyPath, readPublicKeyFile } from '../../kiosk/key-pair-file.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { startSync, type SyncHandle } from '../../kiosk/sync/attach.ts';
import { sealCommand } from '../../kiosk/sync/command-seal.ts';
import { signCommand } from '../../kiosk/sync/command-sign.ts';
import { syncTopics, type CommandResult } from '../../kiosk/sync/topics.ts';
import { generateP256, type KeyPair } from '../../kiosk/tokens/cose-key.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker, pub, waitFor } from './broker.ts';
import { StoreHost } from './host.ts';
import { spawn, type ChildProcess } from 'node:child_process';

const TOPICS = syncTopics('TST', 'SYNC-01');
const SUB = 'R0012345';
const OTHER_SUB = 'R0066666';

/** mosquitto_sub of everything under egate/v1/#, payload bytes kept raw (binary COSE included). */
class RawSubscriber {
  readonly chunks: Buffer[] = [];
  readonly #proc: ChildProcess;
  constructor(port: number) {
    this.#proc = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv5', '-q', '1', '-v', '-t', 'egate/v1/#'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.#proc.stdout!.on('data', (d: Buffer) => this.chunks.push(d));
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  /** Result payloads on cmd/result, parsed from the text lines. */
  results(): CommandResult[] {
    return this.bytes.toString('latin1').split('\n').filter((l) => l.startsWith(`${TOPICS.cmdResult} `)).map((l) => JSON.parse(l.slice(TOPICS.cmdResult.length + 1)) as CommandResult);
  }
  async close(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    const gone = new Promise((r) => this.#proc.once('exit', r));
    this.#proc.kill('SIGTERM');
    await gone;
  }
}

interface Ctx {
  dir: string;
  broker: Broker;
  sub: RawSubscriber;
  central: KeyPair;
  host: StoreHost;
  h: SyncHandle;
  n: number;
}

const t = peerSuite<Ctx>('sync: enrolment and revocation commands encrypted to the gate', ['mosquitto', 'mosquitto_sub', 'mosquitto_pub']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-sync-sealed-'));
  ctx.broker = await Broker.start();
  ctx.sub = new RawSubscriber(ctx.broker.port);
  ctx.central = generateP256();
  mkdirSync(join(ctx.dir, 'keys'), { recursive: true });
  writeFileSync(join(ctx.dir, 'keys/central.pub.pem'), ctx.central.publicKey.export({ type: 'spki', format: 'pem' }));
  ctx.host = new StoreHost(ctx.dir, new SystemClock(), { url: ctx.broker.url, commandWindowS: 120 });
  ctx.n = 0;
  ctx.h = await startSync(ctx.host, { clock: new SystemClock(), log: silentLogger() });
  await waitFor('connected', () => ctx.h.status().connected);
  // the subscriber is in place once it sees the gate's retained status
  await waitFor('subscriber ready', () => ctx.sub.bytes.includes(Buffer.from(TOPICS.status)));
});

t.after(async (ctx) => {
  await ctx.h?.stop();
  ctx.host?.close();
  await ctx.sub?.close();
  await ctx.broker?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

const gatePublic = (ctx: Ctx) => readPublicKeyFile(publicKeyPath(ctx.host.config.sync.gateKeyPath), 'gate command key');
const body = (ctx: Ctx, type: string, args: unknown) => ({ id: `cmd-${++ctx.n}`, iat: Math.floor(Date.now() / 1000), gate: 'SYNC-01', type, args });

async function send(ctx: Ctx, id: string, bytes: Uint8Array): Promise<CommandResult> {
  await pub(ctx.broker.port, TOPICS.cmd, bytes);
  await waitFor(`result of ${id}`, () => ctx.sub.results().some((r) => r.id === id));
  return ctx.sub.results().find((r) => r.id === id)!;
}

t('a broker subscriber sees neither the template nor the identity number of an enrolment or a revocation', async (ctx) => {
  const template = new Float32Array(512).map((_, i) => Math.cos(i) / 16);
  const raw = templateToBytes(template);
  const b64 = raw.toString('base64');
  const up = body(ctx, 'upsert_enrolments', { references: [{ sub: SUB, template: b64 }] });
  assert.equal(await send(ctx, up.id, sealCommand(ctx.central.privateKey, gatePublic(ctx), up)), { id: up.id, ok: true });
  assert.equal(Array.from(ctx.host.references.get(SUB)!.template), Array.from(template), 'the gate decrypted and stored it');
  const rv = body(ctx, 'revoke', { mode: 'extend', sub: [OTHER_SUB] });
  assert.equal(await send(ctx, rv.id, sealCommand(ctx.central.privateKey, gatePublic(ctx), rv)), { id: rv.id, ok: true });
  assert.ok(ctx.host.tokens.revocations.isRevoked(new Uint8Array(16), OTHER_SUB));
  const del = body(ctx, 'delete_enrolments', { subs: [SUB] });
  assert.equal(await send(ctx, del.id, sealCommand(ctx.central.privateKey, gatePublic(ctx), del)), { id: del.id, ok: true });
  const seen = ctx.sub.bytes;
  assert.ok(seen.includes(Buffer.from(TOPICS.cmd + ' ')), 'the subscriber did receive the commands');
  for (const secret of [SUB, OTHER_SUB, b64.slice(0, 24), b64.slice(1000, 1024)]) assert.not.ok(seen.includes(Buffer.from(secret)), `visible on the broker: ${secret.slice(0, 12)}…`);
  assert.not.ok(seen.includes(raw.subarray(0, 32)), 'raw template bytes visible on the broker');
});

t('a signed but unencrypted enrolment or revocation is refused (CMD_NOT_ENCRYPTED); set_mode may stay plain', async (ctx) => {
  const up = body(ctx, 'upsert_enrolments', { references: [{ sub: 'R0011111', template: templateToBytes(new Float32Array(512).fill(0.01)).toString('base64') }] });
  assert.equal(await send(ctx, up.id, signCommand(ctx.central.privateKey, up)), { id: up.id, ok: false, error: 'CMD_NOT_ENCRYPTED' });
  assert.not.ok(ctx.host.references.has('R0011111'));
  const rv = body(ctx, 'revoke', { mode: 'extend', sub: ['R0022222'] });
  assert.equal(await send(ctx, rv.id, signCommand(ctx.central.privateKey, rv)), { id: rv.id, ok: false, error: 'CMD_NOT_ENCRYPTED' });
  const sm = body(ctx, 'set_mode', { mode: 'maintenance' });
  assert.equal(await send(ctx, sm.id, signCommand(ctx.central.privateKey, sm)), { id: sm.id, ok: true });
});

t('sealed to another gate, tampered, or sealed but signed by a stranger: refused, nothing applied', async (ctx) => {
  const refusedBefore = (): number => ctx.host.journalStore.readAfter(0, 10_000).filter((e) => (e.data as { action?: string }).action === 'central_command_refused').length;
  const before = refusedBefore();
  const other = generateP256();
  const wrong = body(ctx, 'revoke', { mode: 'extend', sub: ['R0033333'] });
  await pub(ctx.broker.port, TOPICS.cmd, sealCommand(ctx.central.privateKey, other.publicKey, wrong));
  const bytes = sealCommand(ctx.central.privateKey, gatePublic(ctx), body(ctx, 'revoke', { mode: 'extend', sub: ['R0044444'] }));
  const tampered = new Uint8Array(bytes);
  tampered[tampered.length - 80]! ^= 1;
  await pub(ctx.broker.port, TOPICS.cmd, tampered);
  await pub(ctx.broker.port, TOPICS.cmd, sealCommand(generateP256().privateKey, gatePublic(ctx), body(ctx, 'revoke', { mode: 'extend', sub: ['R0055555'] })));
  await waitFor('three refusals journalled', () => refusedBefore() - before >= 3);
  const reasons = ctx.host.journalStore.readAfter(0, 10_000).map((e) => e.data as { action?: string; reason?: string }).filter((d) => d.action === 'central_command_refused').slice(-3).map((d) => d.reason);
  assert.equal(reasons, ['CMD_WRONG_RECIPIENT', 'CMD_BAD_SIGNATURE', 'CMD_BAD_SIGNATURE']);
  for (const s of ['R0033333', 'R0044444', 'R0055555']) assert.not.ok(ctx.host.tokens.revocations.isRevoked(new Uint8Array(16), s));
});

t.run();
