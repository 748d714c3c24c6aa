import { generateKeyPairSync } from 'node:crypto';
import * as assert from 'uvu/assert';
import { CommandService } from '../../central/commands/service.ts';
import { readState } from '../../central/console/queries.ts';
import { openPool, type Pool } from '../../central/db/pool.ts';
import { ensurePartitions, migrate } from '../../central/db/schema.ts';
import { decide, planWaves, type GateOutcome } from '../../central/rollout.ts';
import { RolloutService } from '../../central/rollout-service.ts';
import { openCommand } from '../../kiosk/sync/command-open.ts';
import { signEs256 } from '../../kiosk/tokens/cose-key.ts';
import { PG_CTL, PgCluster } from '../helpers/postgres.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * Staged rollout from the central system (issue 18 item 3): canary group, then waves, each
 * wave allowed (signed allow_update commands) only when the one before finished; it halts by
 * itself once failures pass the limit. Outcomes are the gates' own journalled update events.
 */
interface Ctx {
  pg: PgCluster;
  pool: Pool;
  sent: { topic: string; payload: Buffer }[];
  rollouts: RolloutService;
}

const t = peerSuite<Ctx>('update: staged rollout from central', [PG_CTL]);
const GATES = Array.from({ length: 12 }, (_, i) => `G${String(i + 1).padStart(2, '0')}`);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let seq = 0;

t.before(async (ctx) => {
  ctx.pg = await PgCluster.start();
  ctx.pool = openPool(ctx.pg.url, 3);
  await migrate(ctx.pool);
  await ensurePartitions(ctx.pool, new Date(), 1, 1);
  for (const g of GATES) await ctx.pool.query("INSERT INTO gates (gate, site, online, version) VALUES ($1, 'LMC', true, '1.0.0')", [g]);
  ctx.sent = [];
  // The command key both as `key` and as a `signer` (central/commands/signer.ts, being introduced
  // by the central helper): the service reads the one it knows, so this test runs before and after.
  const signer = { publicKey, es256: (d: Uint8Array) => signEs256(privateKey, d), close: () => {} };
  const deps = { pool: ctx.pool, key: privateKey, signer, groups: {}, instance: 't1', publish: async (topic: string, payload: Buffer) => void ctx.sent.push({ topic, payload }) };
  const commands = new CommandService(deps as unknown as ConstructorParameters<typeof CommandService>[0]);
  ctx.rollouts = new RolloutService(ctx.pool, commands, 't1');
  await ctx.rollouts.migrate();
});

t.after(async (ctx) => {
  await ctx.pool?.end();
  await ctx.pg?.stop();
});

/** The event a gate journals at the end of an install, as ingest stores it. */
async function outcome(ctx: Ctx, gate: string, type: 'update_confirmed' | 'update_rolled_back' | 'update_refused', targetsVersion: number): Promise<void> {
  seq++;
  await ctx.pool.query("INSERT INTO events (gate, seq, site, id, ts, type, data, prev, hash) VALUES ($1, $2, 'LMC', $3, now(), $4, $5, 'p', 'h')", [
    gate,
    seq,
    `e${seq}`,
    type,
    JSON.stringify({ release: 'x', targets_version: targetsVersion, reason: type === 'update_confirmed' ? undefined : 'HEALTH_EXITED' }),
  ]);
}

/** Gates that received a verified allow_update for this targets version. */
function allowedGates(ctx: Ctx, targetsVersion: number): string[] {
  const out: string[] = [];
  for (const m of ctx.sent) {
    const gate = m.topic.split('/')[3]!;
    const r = openCommand(m.payload, { key: publicKey, gate, nowMs: Date.now(), windowS: 600, maxBytes: 65_536 });
    if (r.ok && r.command.type === 'allow_update' && r.command.args.targetsVersion === targetsVersion) out.push(gate);
  }
  return out.sort();
}

t('waves: the canary group first, then cumulative shares of the rest; decisions', () => {
  const waves = planWaves(GATES, ['G07', 'G02', 'NOPE'], [0.25, 0.5]);
  assert.equal(waves[0], ['G07', 'G02']);
  assert.equal(waves.map((w) => w.length), [2, 3, 2, 5]);
  assert.equal(waves.flat().sort(), GATES);
  const plan = { release: '2', targetsVersion: 2, waves, failureLimit: 0.2 };
  const o = new Map<string, GateOutcome>([['G07', 'confirmed']]);
  assert.is(decide(plan, 0, o).action, 'wait');
  o.set('G02', 'confirmed');
  assert.is(decide(plan, 0, o).action, 'advance');
  o.set('G01', 'rolled_back');
  assert.is(decide(plan, 1, o).action, 'wait', '1 of 5 = 0.2 is not past the limit');
  o.set('G03', 'refused');
  assert.is(decide(plan, 1, o).action, 'halt', '2 of 5 failed, before the wave finished');
});

t('wave timeout: gates silent past it count as failed; before it the wave waits', () => {
  const plan = { release: '2', targetsVersion: 2, waves: [['G01', 'G02'], ['G03', 'G04', 'G05', 'G06']], failureLimit: 0.3, waveTimeoutMs: 60_000 };
  const o = new Map<string, GateOutcome>([['G01', 'confirmed']]);
  assert.is(decide(plan, 0, o, 59_000).action, 'wait');
  const d = decide(plan, 0, o, 61_000);
  assert.equal([d.action, d.silent, d.failed, d.pending], ['halt', 1, 1, 0], '1 silent of 2 = 0.5 > 0.3');
  // Silent gates within the limit: the wave is over, the next one goes.
  const o2 = new Map<string, GateOutcome>([['G01', 'confirmed'], ['G02', 'confirmed'], ['G03', 'confirmed'], ['G04', 'confirmed'], ['G05', 'confirmed']]);
  const d2 = decide(plan, 1, o2, 61_000);
  assert.equal([d2.action, d2.silent], ['done', 1], '1 silent of 6 is within 0.3');
  assert.is(decide({ ...plan, waveTimeoutMs: undefined }, 0, o, 10 ** 9).action, 'wait', 'no timeout: waits for ever');
});

t('a rollout goes canary → waves → done when every gate confirms', async (ctx) => {
  const r = await ctx.rollouts.start({ user: 'sup1', role: 'supervisor' }, { release: '2.0.0', targetsVersion: 2, canary: ['G01', 'G02'], shares: [0.5], failureLimit: 0.1 });
  assert.equal(allowedGates(ctx, 2), ['G01', 'G02']);
  await outcome(ctx, 'G01', 'update_confirmed', 2);
  assert.is((await ctx.rollouts.tick())[0]!.decision.action, 'wait');
  assert.equal(allowedGates(ctx, 2), ['G01', 'G02'], 'no wave before the canary group finished');
  await outcome(ctx, 'G02', 'update_confirmed', 2);
  assert.is((await ctx.rollouts.tick())[0]!.decision.action, 'advance');
  assert.equal(allowedGates(ctx, 2), ['G01', 'G02', 'G03', 'G04', 'G05', 'G06', 'G07']);
  for (const g of ['G03', 'G04', 'G05', 'G06', 'G07']) await outcome(ctx, g, 'update_confirmed', 2);
  assert.is((await ctx.rollouts.tick())[0]!.decision.action, 'advance');
  assert.equal(allowedGates(ctx, 2), GATES);
  for (const g of GATES.slice(7)) await outcome(ctx, g, 'update_confirmed', 2);
  assert.is((await ctx.rollouts.tick())[0]!.decision.action, 'done');
  assert.is((await ctx.rollouts.list()).find((x) => x.id === r.id)!.state, 'done');
  assert.equal(await ctx.rollouts.tick(), [], 'a finished rollout is left alone');
});

t('a rollout halts by itself when failures pass the limit, and raises an alarm', async (ctx) => {
  ctx.sent.length = 0;
  const r = await ctx.rollouts.start({ user: 'sup1', role: 'supervisor' }, { release: '3.0.0', targetsVersion: 3, canary: ['G01'], shares: [0.5], failureLimit: 0.25 });
  await outcome(ctx, 'G01', 'update_confirmed', 3);
  await ctx.rollouts.tick();
  assert.is(allowedGates(ctx, 3).length, 7, 'canary + first wave');
  await outcome(ctx, 'G02', 'update_rolled_back', 3);
  assert.is((await ctx.rollouts.tick())[0]!.decision.action, 'wait', '1 of 7 failed');
  await outcome(ctx, 'G03', 'update_refused', 3);
  const d = (await ctx.rollouts.tick())[0]!.decision;
  assert.is(d.action, 'halt');
  assert.is(d.failed, 2);
  for (const g of ['G04', 'G05', 'G06', 'G07']) await outcome(ctx, g, 'update_confirmed', 3);
  assert.equal(await ctx.rollouts.tick(), [], 'halted: nothing more is decided');
  assert.is(allowedGates(ctx, 3).length, 7, 'no gate of the last wave was allowed');
  const row = (await ctx.rollouts.list()).find((x) => x.id === r.id)!;
  assert.is(row.state, 'halted');
  assert.match(row.reason ?? '', /2 of 7/);
  const alarm = await ctx.pool.query("SELECT code FROM alarms WHERE kind = 'rollout'");
  assert.equal(alarm.rows.map((x) => x.code), ['ROLLOUT_HALTED']);
});

t("the console's lane table carries each gate's release", async (ctx) => {
  await ctx.pool.query("UPDATE gates SET version = '2.0.0' WHERE gate = 'G01'");
  const lanes = (await readState(ctx.pool)).lanes;
  assert.is(lanes.find((l) => l.gate === 'G01')!.version, '2.0.0');
  assert.is(lanes.find((l) => l.gate === 'G02')!.version, '1.0.0');
});

t('a wave whose gates stay silent past the wave timeout halts the rollout, with the silent count in the reason', async (ctx) => {
  const r = await ctx.rollouts.start({ user: 'sup1', role: 'supervisor' }, { release: '5.0.0', targetsVersion: 5, canary: ['G01', 'G02'], shares: [0.5], failureLimit: 0.25, waveTimeoutMs: 300_000 });
  await outcome(ctx, 'G01', 'update_confirmed', 5);
  assert.is((await ctx.rollouts.tick())[0]!.decision.action, 'wait', 'within the timeout the canary group is waited for');
  // Five minutes pass on the database's clock (the rollout's only clock).
  await ctx.pool.query("UPDATE rollouts SET wave_started_at = now() - interval '301 seconds' WHERE id = $1", [r.id]);
  const d = (await ctx.rollouts.tick())[0]!.decision;
  assert.equal([d.action, d.silent], ['halt', 1]);
  const row = (await ctx.rollouts.list()).find((x) => x.id === r.id)!;
  assert.is(row.state, 'halted');
  assert.match(row.reason ?? '', /1 silent past the wave timeout/);
  assert.equal(allowedGates(ctx, 5), ['G01', 'G02'], 'no wave after the silent canary');
});

t('only a supervisor starts a rollout', async (ctx) => {
  try {
    await ctx.rollouts.start({ user: 'tech', role: 'technician' }, { release: '4', targetsVersion: 4, canary: ['G01'], shares: [], failureLimit: 0 });
    assert.unreachable('started');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'CENTRAL_FORBIDDEN');
  }
});

t.run();
