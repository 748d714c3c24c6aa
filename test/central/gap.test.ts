import * as assert from 'uvu/assert';
import { openPool, type Pool, type PoolClient } from '../../central/db/pool.ts';
import { IngestService } from '../../central/ingest/service.ts';
import { flagSilentGates, resolveGaps } from '../../central/ingest/sweep.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { syncTopics } from '../../kiosk/sync/topics.ts';
import { peerSuite } from '../helpers/suite.ts';
import { pub, waitFor } from '../sync/broker.ts';
import { chain } from './wire-chain.ts';
import { CentralWorld, PG_CTL } from './world.ts';

interface Ctx {
  w: CentralWorld;
  a: IngestService;
  b: IngestService;
  poolB: Pool;
}

/**
 * Two ingest instances split a gate's batches (shared subscription). When one of them falls
 * behind, the other holds the batches that follow; however long that lasts, the held range
 * is not a gap: the missing batch is in the slow instance's hands (or the broker's queue for it).
 */
const t = peerSuite<Ctx>('central: a gap is declared only when the missing events are truly missing', ['mosquitto', 'mosquitto_pub', PG_CTL]);
const GRACE = 300;

t.before(async (ctx) => {
  ctx.w = await CentralWorld.start();
  ctx.a = await ctx.w.ingest({ instance: 'a', gapGraceMs: GRACE });
  ctx.poolB = openPool(ctx.w.pg.url, 2);
  ctx.b = new IngestService(ctx.w.config({ instance: 'b', gapGraceMs: GRACE }), ctx.poolB, silentLogger());
  await ctx.b.start();
  ctx.w.ingests.push(ctx.b);
});

t.after(async (ctx) => {
  await ctx.w?.close();
  await ctx.poolB?.end().catch(() => {});
});

const q = async <T extends object>(ctx: Ctx, sql: string, args: unknown[] = []): Promise<T[]> => (await ctx.w.pool.query<T>(sql, args)).rows;
const head = async (ctx: Ctx, gate: string): Promise<number> => (await q<{ s: number }>(ctx, 'SELECT head_seq AS s FROM gate_chain WHERE gate = $1', [gate]))[0]?.s ?? -1;
const alarms = async (ctx: Ctx, gate: string): Promise<string[]> => (await q<{ code: string }>(ctx, 'SELECT code FROM alarms WHERE gate = $1 ORDER BY id', [gate])).map((r) => r.code);
const send = (ctx: Ctx, gate: string, events: unknown): Promise<void> => pub(ctx.w.broker.port, syncTopics('TST', gate).events, JSON.stringify(events));
const received = (ctx: Ctx): number => ctx.a.stats.messages + ctx.b.stats.messages;

t('an instance that falls behind for longer than the grace does not make a gap; its batch fills in', async (ctx) => {
  const gate = 'SLOW-1';
  const events = chain(gate, 40);
  await send(ctx, gate, events.slice(0, 2));
  await waitFor('first batch stored', async () => (await head(ctx, gate)) === 2);
  // instance b stops being able to store (its database connections are taken) but stays subscribed
  const held: PoolClient[] = await Promise.all([ctx.poolB.connect(), ctx.poolB.connect()]);
  let next = 2;
  try {
    while (ctx.a.stats.held === 0) {
      assert.ok(next < 40, 'the broker never gave instance b a batch');
      const before = received(ctx);
      await send(ctx, gate, events.slice(next, next + 2));
      next += 2;
      await waitFor('batch delivered to an instance', () => received(ctx) > before);
      await ctx.a.idle();
    }
    const ageOk = async (): Promise<boolean> => (await q<{ ok: boolean }>(ctx, 'SELECT bool_and(received_at < now() - make_interval(secs => $1)) AS ok FROM pending_batches WHERE gate = $2', [(GRACE * 3) / 1000, gate]))[0]!.ok;
    await waitFor('held batch older than three graces', ageOk, 10_000);
    await resolveGaps(ctx.w.pool, GRACE, ctx.w.config().mqtt.group);
    assert.equal(await alarms(ctx, gate), [], 'a batch in a slow instance\'s hands was declared missing');
  } finally {
    for (const c of held) c.release(); // else a failure here leaves b stuck and the suite hung
  }
  await waitFor('all stored once b catches up', async () => (await head(ctx, gate)) === next, 15_000);
  assert.equal(await alarms(ctx, gate), []);
  const n = await q<{ n: number }>(ctx, 'SELECT count(DISTINCT seq)::int AS n, count(*)::int AS m FROM events WHERE gate = $1', [gate]);
  assert.is(n[0]!.n, next);
});

t('with both instances caught up, a batch that never comes is a gap', async (ctx) => {
  const gate = 'HOLE-1';
  const events = chain(gate, 8);
  await send(ctx, gate, events.slice(0, 4));
  await waitFor('stored', async () => (await head(ctx, gate)) === 4);
  await send(ctx, gate, events.slice(6));
  await waitFor('gap declared', async () => (await alarms(ctx, gate)).includes('CHAIN_GAP'), 15_000);
  await waitFor('after-gap events stored', async () => (await head(ctx, gate)) === 8);
});

t('a gate whose messages wait in a backlogged instance\'s queue is not silent; once all are caught up it is', async (ctx) => {
  const group = ctx.w.config().mqtt.group;
  // a third instance, alive but an hour behind (working through a control point's backlog)
  await ctx.w.pool.query("INSERT INTO ingest_instances (grp, instance, beat_at, caught_up_at) VALUES ($1, 'lagging', now(), now() - interval '1 hour')", [group]);
  await ctx.w.pool.query("INSERT INTO gates (gate, site, online, seen_at) VALUES ('QUIET-1', 'TST', true, now() - interval '10 minutes')");
  await flagSilentGates(ctx.w.pool, 60_000, group, GRACE);
  assert.equal(await alarms(ctx, 'QUIET-1'), [], 'silence judged against now() while an instance is an hour behind');
  await ctx.w.pool.query("DELETE FROM ingest_instances WHERE instance = 'lagging'");
  await flagSilentGates(ctx.w.pool, 60_000, group, GRACE);
  assert.equal(await alarms(ctx, 'QUIET-1'), ['NO_STATUS']);
});

t.run();
