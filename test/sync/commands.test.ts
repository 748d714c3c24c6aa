import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { templateToBytes } from '../../kiosk/enrolment/sealed.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { startSync, type SyncHandle } from '../../kiosk/sync/attach.ts';
import { publicKeyPath, readPublicKeyFile } from '../../kiosk/key-pair-file.ts';
import { sealCommand } from '../../kiosk/sync/command-seal.ts';
import { signCommand } from '../../kiosk/sync/command-sign.ts';
import { syncTopics, type CommandResult } from '../../kiosk/sync/topics.ts';
import { generateP256, type KeyPair } from '../../kiosk/tokens/cose-key.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker, pub, Subscriber, waitFor } from './broker.ts';
import { StoreHost } from './host.ts';

const TOPICS = syncTopics('TST', 'SYNC-01');
const SUB = 'R0012345';

interface Ctx {
  dir: string;
  broker: Broker;
  sub: Subscriber;
  central: KeyPair;
  host: StoreHost;
  clock: SystemClock;
  h: SyncHandle;
  n: number;
}

const t = peerSuite<Ctx>('sync: signed central commands', ['mosquitto', 'mosquitto_sub', 'mosquitto_pub']);

function payload(ctx: Ctx, type: string, args: unknown, over: Record<string, unknown> = {}): { id: string; bytes: Uint8Array } {
  const id = `cmd-${++ctx.n}`;
  const body = { id, iat: Math.floor(Date.now() / 1000), gate: 'SYNC-01', type, args, ...over };
  return { id, bytes: new Uint8Array(Buffer.from(JSON.stringify(body))) };
}

/** Commands with traveller data are encrypted to the gate's own key, then signed (command-seal.ts). */
function sealed(ctx: Ctx, type: string, args: unknown): { id: string; bytes: Uint8Array } {
  const id = `cmd-${++ctx.n}`;
  const gatePub = readPublicKeyFile(publicKeyPath(ctx.host.config.sync.gateKeyPath), 'gate command key');
  return { id, bytes: sealCommand(ctx.central.privateKey, gatePub, { id, iat: Math.floor(Date.now() / 1000), gate: 'SYNC-01', type, args }) };
}

function signed(ctx: Ctx, type: string, args: unknown, over: Record<string, unknown> = {}, key = ctx.central): { id: string; bytes: Uint8Array } {
  const id = `cmd-${++ctx.n}`;
  return { id, bytes: signCommand(key.privateKey, { id, iat: Math.floor(Date.now() / 1000), gate: 'SYNC-01', type, args, ...over }) };
}

async function send(ctx: Ctx, cmd: { id: string; bytes: Uint8Array }): Promise<CommandResult> {
  const before = ctx.sub.messages<CommandResult>(TOPICS.cmdResult).filter((r) => r.id === cmd.id).length;
  await pub(ctx.broker.port, TOPICS.cmd, cmd.bytes);
  await waitFor(`result of ${cmd.id}`, () => ctx.sub.messages<CommandResult>(TOPICS.cmdResult).filter((r) => r.id === cmd.id).length > before);
  return ctx.sub.messages<CommandResult>(TOPICS.cmdResult).filter((r) => r.id === cmd.id).at(-1)!;
}

/** Data of the journal events for central commands, newest last. */
function journalled(ctx: Ctx): Record<string, unknown>[] {
  return ctx.host.journalStore.readAfter(0, 10_000).map((e) => e.data as Record<string, unknown>).filter((d) => String(d.action ?? '').startsWith('central_'));
}

async function start(ctx: Ctx): Promise<void> {
  ctx.h = await startSync(ctx.host, { clock: ctx.clock, log: silentLogger() });
  await waitFor('connected', () => ctx.h.status().connected);
}

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-sync-cmd-'));
  ctx.broker = await Broker.start();
  ctx.sub = await Subscriber.start(ctx.broker.port, TOPICS.cmdResult);
  ctx.central = generateP256();
  mkdirSync(join(ctx.dir, 'keys'), { recursive: true });
  writeFileSync(join(ctx.dir, 'keys/central.pub.pem'), ctx.central.publicKey.export({ type: 'spki', format: 'pem' }));
  ctx.clock = new SystemClock();
  ctx.host = new StoreHost(ctx.dir, ctx.clock, { url: ctx.broker.url, commandWindowS: 120 });
  ctx.n = 0;
  await start(ctx);
});

t.after(async (ctx) => {
  await ctx.h.stop();
  ctx.host.close();
  await ctx.sub.close();
  await ctx.broker.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('set_mode: applied with an ok result and journalled; refused during a crossing with the gate\'s code', async (ctx) => {
  const r = await send(ctx, signed(ctx, 'set_mode', { mode: 'maintenance' }));
  assert.equal(r, { id: r.id, ok: true });
  assert.is(ctx.host.mode, 'maintenance');
  assert.equal(journalled(ctx).at(-1), { action: 'central_set_mode', command: r.id, by: 'central', mode: 'maintenance', ok: true });
  ctx.host.inCrossing = true;
  const busy = await send(ctx, signed(ctx, 'set_mode', { mode: 'in_service' }));
  ctx.host.inCrossing = false;
  assert.equal(busy, { id: busy.id, ok: false, error: 'CROSSING_IN_PROGRESS' });
  assert.is(ctx.host.mode, 'maintenance');
});

t('replace_trust_list and revoke: in force at once and written to their files; an invalid list changes nothing', async (ctx) => {
  const world = createTokenWorld({ nowMs: Date.now() });
  const ok = await send(ctx, signed(ctx, 'replace_trust_list', { trustList: world.trustList }));
  assert.ok(ok.ok);
  const n = Object.keys(world.trustList).length;
  assert.is(ctx.host.tokens.trustList.size, n);
  assert.equal(JSON.parse(readFileSync(ctx.host.config.tokens.trustListPath, 'utf8')), world.trustList);
  const bad = await send(ctx, signed(ctx, 'replace_trust_list', { trustList: { 'bad kid!': { jwk: {} } } }));
  assert.equal(bad, { id: bad.id, ok: false, error: 'TRUST_LIST_INVALID' });
  assert.is(ctx.host.tokens.trustList.size, n);

  const cti = 'ab'.repeat(16);
  assert.ok((await send(ctx, sealed(ctx, 'revoke', { mode: 'extend', cti: [cti], sub: ['R0099999'] }))).ok);
  assert.ok((await send(ctx, sealed(ctx, 'revoke', { mode: 'extend', sub: ['R0088888'] }))).ok);
  assert.ok(ctx.host.tokens.revocations.isRevoked(Buffer.from(cti, 'hex'), 'x'));
  assert.ok(ctx.host.tokens.revocations.isRevoked(new Uint8Array(16), 'R0099999'), 'extend keeps what was there');
  assert.equal(JSON.parse(readFileSync(ctx.host.config.tokens.revocationListPath, 'utf8')), { cti: [cti], sub: ['R0099999', 'R0088888'] });
  assert.ok((await send(ctx, sealed(ctx, 'revoke', { mode: 'replace', sub: ['R0088888'] }))).ok);
  assert.not.ok(ctx.host.tokens.revocations.isRevoked(Buffer.from(cti, 'hex'), 'R0099999'), 'replace drops the rest');
  assert.is(ctx.host.tokens.revocations.size, 1);
  const badCti = await send(ctx, sealed(ctx, 'revoke', { mode: 'extend', cti: ['not-hex'] }));
  assert.equal(badCti, { id: badCti.id, ok: false, error: 'REVOCATION_LIST_INVALID' });
  assert.is(ctx.host.tokens.revocations.size, 1);
  assert.equal(journalled(ctx).filter((d) => d.action === 'central_revocations').map((d) => d.ok), [true, true, true, false]);
});

t('upsert and delete enrolments: the template lands sealed in the store; journal and result carry neither sub nor template', async (ctx) => {
  const template = new Float32Array(512).map((_, i) => Math.sin(i) / 16);
  const b64 = templateToBytes(template).toString('base64');
  const up = await send(ctx, sealed(ctx, 'upsert_enrolments', { references: [{ sub: SUB, template: b64 }] }));
  assert.equal(up, { id: up.id, ok: true });
  const ref = ctx.host.references.get(SUB);
  assert.equal(Array.from(ref!.template), Array.from(template));
  assert.is(ref!.source, 'central');
  const short = await send(ctx, sealed(ctx, 'upsert_enrolments', { references: [{ sub: 'R0000001', template: b64.slice(0, 400) }] }));
  assert.equal(short, { id: short.id, ok: false, error: 'ENROLMENT_BAD_TEMPLATE' });
  assert.not.ok(ctx.host.references.has('R0000001'));
  const del = await send(ctx, sealed(ctx, 'delete_enrolments', { subs: [SUB] }));
  assert.ok(del.ok);
  assert.not.ok(ctx.host.references.has(SUB));
  const events = journalled(ctx).filter((d) => String(d.action).startsWith('central_enrolment'));
  assert.is(events.length, 3);
  assert.equal(events[0]!.subjects, [ctx.host.journalStore.pseudonym(SUB)]);
  const text = JSON.stringify(ctx.host.journalStore.readAfter(0, 10_000)) + ctx.sub.lines.join('\n');
  assert.not.ok(text.includes(SUB), 'no raw sub in the journal or results');
  assert.not.ok(text.includes(b64.slice(0, 40)), 'no template in the journal or results');
});

t('refused: unsigned, bad signature, wrong key, stale, future, other gate, unknown type, replayed (also after a restart); each answered and journalled', async (ctx) => {
  const unsigned = payload(ctx, 'set_mode', { mode: 'out_of_service' });
  const forged = signed(ctx, 'set_mode', { mode: 'out_of_service' });
  forged.bytes = forged.bytes.slice();
  forged.bytes[forged.bytes.length - 5]! ^= 0x01; // inside the signature
  const cases: [{ id: string; bytes: Uint8Array }, string][] = [
    [unsigned, 'CMD_UNSIGNED'],
    [forged, 'CMD_BAD_SIGNATURE'],
    [signed(ctx, 'set_mode', { mode: 'out_of_service' }, {}, generateP256()), 'CMD_BAD_SIGNATURE'],
    [signed(ctx, 'set_mode', { mode: 'out_of_service' }, { iat: Math.floor(Date.now() / 1000) - 600 }), 'CMD_STALE'],
    [signed(ctx, 'set_mode', { mode: 'out_of_service' }, { iat: Math.floor(Date.now() / 1000) + 600 }), 'CMD_STALE'],
    [signed(ctx, 'set_mode', { mode: 'out_of_service' }, { gate: 'OTHER-02' }), 'CMD_WRONG_GATE'],
    [signed(ctx, 'open_doors', {}), 'CMD_UNSUPPORTED'],
    [signed(ctx, 'set_mode', { mode: 'emergency' }), 'CMD_MALFORMED'],
  ];
  const modeBefore = ctx.host.mode;
  for (const [cmd, code] of cases) {
    const r = await send(ctx, cmd);
    assert.equal(r, { id: cmd.id, ok: false, error: code }, code);
  }
  assert.is(ctx.host.mode, modeBefore, 'no refused command changed the mode');
  const refused = journalled(ctx).filter((d) => d.action === 'central_command_refused');
  assert.equal(refused.map((d) => d.reason), cases.map(([, c]) => c));
  assert.ok(refused.slice(0, 3).every((d) => typeof d.command_hash === 'string' && d.command === undefined), 'unverified ids journalled only as a hash');

  // garbage without an id: journalled, no result possible
  await pub(ctx.broker.port, TOPICS.cmd, new Uint8Array([0xff, 0x00, 0x13]));
  await waitFor('garbage journalled', () => journalled(ctx).filter((d) => d.action === 'central_command_refused').length === cases.length + 1);

  const once = signed(ctx, 'set_mode', { mode: 'out_of_service' });
  assert.ok((await send(ctx, once)).ok);
  assert.equal(await send(ctx, once), { id: once.id, ok: false, error: 'CMD_REPLAYED' });
  await ctx.h.stop();
  await start(ctx);
  assert.equal(await send(ctx, once), { id: once.id, ok: false, error: 'CMD_REPLAYED' }, 'the ledger survives a restart');
  assert.is(journalled(ctx).filter((d) => d.reason === 'CMD_REPLAYED').length, 2);
});

t.run();
