import * as assert from 'uvu/assert';
import { parseCentralConfig } from '../../central/config.ts';
import { openPool, type Pool } from '../../central/db/pool.ts';
import { ensurePartitions, migrate, partitionName, purge } from '../../central/db/schema.ts';
import { peerSuite } from '../helpers/suite.ts';
import { PgCluster } from '../helpers/postgres.ts';
import { PG_CTL } from './world.ts';

interface Ctx {
  pg: PgCluster;
  pool: Pool;
}

const t = peerSuite<Ctx>('central: partitions, retention, config', [PG_CTL]);
const DAY = 86_400_000;

t.before(async (ctx) => {
  ctx.pg = await PgCluster.start();
  ctx.pool = openPool(ctx.pg.url, 2);
  await migrate(ctx.pool);
});

t.after(async (ctx) => {
  await ctx.pool?.end();
  await ctx.pg?.stop();
});

t('config is strict: an unknown or misspelt key is an error, not a silent default', () => {
  const base = { mqtt: { url: 'mqtt://127.0.0.1:1883' }, db: { url: 'postgres://x' }, console: { usersPath: 'u.json' }, commands: { keyPath: 'k.pem' } };
  assert.is(parseCentralConfig(base).retention.eventDays, 90);
  for (const bad of [{ ...base, retention: { eventDay: 30 } }, { ...base, extra: 1 }, { ...base, mqtt: { url: 'not a url' } }]) {
    try {
      parseCentralConfig(bad);
      assert.unreachable('accepted');
    } catch (err) {
      assert.is((err as { code?: string }).code, 'CENTRAL_CONFIG');
    }
  }
});

t('day partitions are made ahead; retention drops whole old partitions and old acknowledged records', async (ctx) => {
  const now = new Date(Date.UTC(2026, 11, 2, 12));
  const made = await ensurePartitions(ctx.pool, now, 93, 3);
  assert.is(made.length, 97);
  assert.equal(await ensurePartitions(ctx.pool, now, 93, 3), [], 'idempotent');
  const old = new Date(now.getTime() - 92 * DAY);
  await ctx.pool.query("INSERT INTO events (gate, seq, site, id, ts, type, data, prev, hash, received_at) VALUES ('G', 1, 'S', 'a', $1, 'gate_started', '{}', 'p', 'h', $1), ('G', 2, 'S', 'b', $2, 'gate_started', '{}', 'p', 'h', $2)", [old, now]);
  await ctx.pool.query("INSERT INTO alarms (gate, site, kind, code, raised_at, acked_by, acked_at) VALUES ('G', 'S', 'tailgate', 'TAILGATE', $1, 'o', $1), ('G', 'S', 'tailgate', 'TAILGATE', $1, NULL, NULL)", [new Date(now.getTime() - 500 * DAY)]);
  const r = await purge(ctx.pool, now, 90, 400);
  assert.is(r.dropped.length, 3, 'days -93 … -91 dropped: all of day -90 is younger than 90 days');
  assert.ok(r.dropped.includes(partitionName(old)));
  const left = await ctx.pool.query<{ seq: number }>('SELECT seq FROM events');
  assert.equal(left.rows.map((x) => x.seq), [2]);
  const alarms = await ctx.pool.query('SELECT acked_at FROM alarms');
  assert.is(alarms.rowCount, 1, 'an unacknowledged alarm is never purged');
});

t.run();
