import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { SimGate } from '../../central/sim/sim-gate.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { checkpointKid, signCheckpoint, type CheckpointKey } from '../../kiosk/journal/checkpoint.ts';
import { eventHash, type JournalEvent } from '../../kiosk/journal/index.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { syncTopics } from '../../kiosk/sync/topics.ts';
import { peerSuite } from '../helpers/suite.ts';
import { pub, waitFor } from '../sync/broker.ts';
import { CentralWorld, PG_CTL } from './world.ts';
import { chain } from './wire-chain.ts';

interface Ctx {
  w: CentralWorld;
  gate: SimGate;
}

const t = peerSuite<Ctx>('central: ingest to PostgreSQL', ['mosquitto', 'mosquitto_pub', PG_CTL]);

t.before(async (ctx) => {
  ctx.w = await CentralWorld.start();
  await ctx.w.ingest();
  ctx.gate = new SimGate({ dir: join(ctx.w.dir, 'gate-a'), site: 'LMC', gate: 'LMC-A-01', url: ctx.w.broker.url, clock: new SystemClock(), log: silentLogger() });
  ctx.gate.start();
});

t.after(async (ctx) => {
  await ctx.gate?.stop();
  await ctx.w?.close();
});

const q = async <T extends object>(ctx: Ctx, sql: string, args: unknown[] = []): Promise<T[]> => (await ctx.w.pool.query<T>(sql, args)).rows;
const stored = async (ctx: Ctx, gate: string): Promise<number> => (await q<{ n: number }>(ctx, 'SELECT count(*)::int AS n FROM events WHERE gate = $1', [gate]))[0]!.n;
const alarmCodes = async (ctx: Ctx, gate: string): Promise<string[]> => (await q<{ code: string }>(ctx, 'SELECT code FROM alarms WHERE gate = $1 ORDER BY id', [gate])).map((r) => r.code);

const send = (ctx: Ctx, gate: string, events: unknown): Promise<void> => pub(ctx.w.broker.port, syncTopics('TST', gate).events, JSON.stringify(events));

t('a gate\'s real outbox lands in PostgreSQL, chain verified, each (gate, seq) once', async (ctx) => {
  for (let i = 0; i < 25; i++) ctx.gate.crossing();
  const last = ctx.gate.journalStore.lastSeq();
  await waitFor('all events stored', async () => (await stored(ctx, 'LMC-A-01')) === last, 20_000);
  const head = (await q<{ head_seq: number; head_hash: string; first_seq: number }>(ctx, "SELECT head_seq, head_hash, first_seq FROM gate_chain WHERE gate = 'LMC-A-01'"))[0]!;
  assert.is(head.head_seq, last);
  assert.is(head.first_seq, 1);
  assert.is(head.head_hash, ctx.gate.journalStore.get(last)!.hash);
  assert.equal(await alarmCodes(ctx, 'LMC-A-01'), []);
  // at-least-once: the gate's own batch delivered again is absorbed
  await send(ctx, 'LMC-A-01', ctx.gate.journalStore.readAfter(0, 10));
  await ctx.w.ingests[0]!.idle();
  await waitFor('repeat counted', () => ctx.w.ingests[0]!.stats.duplicates >= 10);
  assert.is(await stored(ctx, 'LMC-A-01'), last);
  const dup = await q<{ n: number }>(ctx, "SELECT count(*)::int AS n FROM (SELECT seq FROM events WHERE gate = 'LMC-A-01' GROUP BY seq HAVING count(*) > 1) d");
  assert.is(dup[0]!.n, 0);
  const referrals = await q<{ n: number }>(ctx, "SELECT count(*)::int AS n FROM events WHERE gate = 'LMC-A-01' AND type = 'crossing_finished' AND data->>'outcome' = 'REJECTED_FACE'");
  assert.is(referrals[0]!.n, 2);
});

t('a forged event (changed after hashing) raises CHAIN_BAD_HASH and is not stored', async (ctx) => {
  const good = chain('FORGE-1', 5);
  await send(ctx, 'FORGE-1', good.slice(0, 3));
  await waitFor('first batch stored', async () => (await stored(ctx, 'FORGE-1')) === 3);
  const forged = good.slice(3).map((e) => ({ ...e }));
  forged[0]!.data = { action: 'probe', n: 999 };
  await send(ctx, 'FORGE-1', forged);
  await waitFor('alarm', async () => (await alarmCodes(ctx, 'FORGE-1')).includes('CHAIN_BAD_HASH'));
  assert.is(await stored(ctx, 'FORGE-1'), 3);
  // the genuine continuation is still accepted
  await send(ctx, 'FORGE-1', good.slice(3));
  await waitFor('genuine continuation stored', async () => (await stored(ctx, 'FORGE-1')) === 5);
});

t('a reordered stream raises CHAIN_REORDERED; a rewritten seq breaks the chain', async (ctx) => {
  const good = chain('REORD-1', 6);
  await send(ctx, 'REORD-1', [good[0], good[2], good[1]]);
  await waitFor('reorder alarm', async () => (await alarmCodes(ctx, 'REORD-1')).includes('CHAIN_REORDERED'));
  // swapped and renumbered so seq looks continuous: the prev links give it away
  const a = { ...good[2]!, seq: 2 };
  const b = { ...good[1]!, seq: 3 };
  await send(ctx, 'REORD-2', [chain('REORD-2', 1)[0], a, b]);
  await waitFor('hash alarm', async () => (await alarmCodes(ctx, 'REORD-2')).some((c) => c === 'CHAIN_BAD_HASH' || c === 'CHAIN_MALFORMED'));
});

t('a second event with a seq already held is a fork; a hole that stays open is a gap', async (ctx) => {
  const a = chain('FORK-1', 4);
  await send(ctx, 'FORK-1', a);
  await waitFor('stored', async () => (await stored(ctx, 'FORK-1')) === 4);
  const other = chain('FORK-1', 1, 3, a[1]!.hash);
  other[0]!.data = { action: 'probe', n: 333 };
  other[0]!.hash = eventHash(other[0]!.prev, other[0]!);
  await send(ctx, 'FORK-1', other);
  await waitFor('fork alarm', async () => (await alarmCodes(ctx, 'FORK-1')).includes('CHAIN_FORK'));
  // seq 5..6 never arrive; 7..8 wait out the grace period, then the gap is declared and 7..8 stored
  const cont = chain('FORK-1', 4, 5, a[3]!.hash);
  await send(ctx, 'FORK-1', cont.slice(2));
  await waitFor('gap alarm', async () => (await alarmCodes(ctx, 'FORK-1')).includes('CHAIN_GAP'), 15_000);
  await waitFor('after-gap events stored', async () => (await stored(ctx, 'FORK-1')) === 6);
  const gap = (await q<{ detail: { missing_from: number; missing_to: number } }>(ctx, "SELECT detail FROM alarms WHERE gate = 'FORK-1' AND code = 'CHAIN_GAP'"))[0]!;
  assert.equal(gap.detail, { missing_from: 5, missing_to: 6 });
  // the missing batch was only slow (another instance): it fills the hole, nothing is lost
  await send(ctx, 'FORK-1', cont.slice(0, 2));
  await waitFor('late batch stored', async () => (await stored(ctx, 'FORK-1')) === 8);
  await send(ctx, 'FORK-1', cont);
  await ctx.w.ingests[0]!.idle();
  await waitFor('repeat absorbed', async () => (await stored(ctx, 'FORK-1')) === 8);
});

t('a batch that arrives before its predecessor waits for it: no alarm, nothing lost', async (ctx) => {
  const a = chain('LATE-1', 6);
  await send(ctx, 'LATE-1', a.slice(0, 2));
  await waitFor('stored', async () => (await stored(ctx, 'LATE-1')) === 2);
  await send(ctx, 'LATE-1', a.slice(4));
  await send(ctx, 'LATE-1', a.slice(2, 4));
  await waitFor('all stored', async () => (await stored(ctx, 'LATE-1')) === 6);
  assert.equal(await alarmCodes(ctx, 'LATE-1'), []);
});

t('privacy: traveller data in a well-hashed event is never stored centrally', async (ctx) => {
  const e = chain('PRIV-1', 2);
  e[1]!.data = { action: 'probe', faceTemplate: 'AAAA'.repeat(10), documentNumber: 'K1234567' };
  e[1]!.hash = eventHash(e[1]!.prev, e[1]!);
  await send(ctx, 'PRIV-1', e);
  await waitFor('privacy alarm', async () => (await alarmCodes(ctx, 'PRIV-1')).includes('CENTRAL_PRIVACY'));
  const rows = await q<{ data: unknown }>(ctx, "SELECT data FROM events WHERE gate = 'PRIV-1' ORDER BY seq");
  assert.is(rows.length, 2);
  assert.equal(rows[1]!.data, { redacted: 'CENTRAL_PRIVACY' });
  const anywhere = await q<{ n: number }>(ctx, "SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%K1234567%' OR data::text LIKE '%AAAAAAAA%'");
  assert.is(anywhere[0]!.n, 0);
});

t('a message the database cannot take (NUL in a string) is filed as an alarm and does not stop ingest', async (ctx) => {
  const e = chain('POISON-1', 2);
  e[1]!.data = { action: 'probe', text: 'a\u0000b' };
  e[1]!.hash = eventHash(e[1]!.prev, e[1]!);
  await send(ctx, 'POISON-1', e);
  await waitFor('alarm', async () => (await alarmCodes(ctx, 'POISON-1')).includes('CHAIN_MALFORMED'));
  const after = chain('POISON-2', 3);
  await send(ctx, 'POISON-2', after);
  await waitFor('ingest goes on', async () => (await stored(ctx, 'POISON-2')) === 3);
});

t('signed checkpoints verify with the gate\'s registered key; a bad one raises CHAIN_BAD_SIGNATURE', async (ctx) => {
  const key = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) } as unknown as CheckpointKey;
  key.kid = Buffer.from(checkpointKid(key.publicKey)).toString('hex');
  await ctx.w.pool.query("INSERT INTO gate_keys (gate, kid, pem, added_by) VALUES ('CKPT-1', $1, $2, 'test')", [key.kid, key.publicKey.export({ type: 'spki', format: 'pem' })]);
  const base = chain('CKPT-1', 2);
  const ckpt = (seq: number, hash: string, k = key): Record<string, unknown> => ({
    seq,
    hash,
    kid: k.kid,
    signed: Buffer.from(signCheckpoint(k, { v: 1, kind: 'checkpoint', gate: 'CKPT-1', seq, hash, ts: '2026-12-02T09:00:00.000Z' })).toString('base64'),
  });
  const withData = (prev: JournalEvent, data: Record<string, unknown>): JournalEvent => {
    const e = { id: `01CKPT${prev.seq + 1}`, seq: prev.seq + 1, gate: 'CKPT-1', ts: prev.ts, type: 'journal_checkpoint', data } as unknown as JournalEvent;
    e.prev = prev.hash;
    e.hash = eventHash(e.prev, e);
    return e;
  };
  const good = withData(base[1]!, ckpt(2, base[1]!.hash));
  const wrong = withData(good, ckpt(2, 'f'.repeat(64)));
  const other = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) } as unknown as CheckpointKey;
  other.kid = Buffer.from(checkpointKid(other.publicKey)).toString('hex');
  const unknown = withData(wrong, ckpt(4, wrong.hash, other));
  await send(ctx, 'CKPT-1', [...base, good]);
  await waitFor('stored', async () => (await stored(ctx, 'CKPT-1')) === 3);
  assert.equal(await alarmCodes(ctx, 'CKPT-1'), []);
  await send(ctx, 'CKPT-1', [wrong, unknown]);
  await waitFor('signature alarms', async () => (await alarmCodes(ctx, 'CKPT-1')).length === 2);
  assert.equal(await alarmCodes(ctx, 'CKPT-1'), ['CHAIN_BAD_SIGNATURE', 'CHECKPOINT_UNKNOWN_KEY']);
});

t.run();
