import type { Actor } from './db/audit.ts';
import { audit } from './db/audit.ts';
import { applyAlarms } from './ingest/store.ts';
import { inTransaction, NOTIFY_CHANNEL, type Pool } from './db/pool.ts';
import type { CommandService } from './commands/service.ts';
import { CentralError } from './errors.ts';
import { decide, planWaves, type Decision, type GateOutcome, type RolloutPlan } from './rollout.ts';

const DDL = `
CREATE TABLE IF NOT EXISTS rollouts (
  id bigserial PRIMARY KEY, release text NOT NULL, targets_version int NOT NULL, waves jsonb NOT NULL,
  failure_limit real NOT NULL, wave int NOT NULL DEFAULT 0, state text NOT NULL, reason text,
  started_by text NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE rollouts ADD COLUMN IF NOT EXISTS wave_timeout_ms int;
ALTER TABLE rollouts ADD COLUMN IF NOT EXISTS wave_started_at timestamptz NOT NULL DEFAULT now();
`;

/** Creates the rollouts table (idempotent). */
export async function migrateRollouts(pool: Pool): Promise<void> {
  await pool.query(DDL);
}

/** The newest rollouts, newest first. */
export async function listRollouts(pool: Pool): Promise<RolloutRow[]> {
  return (await pool.query<RolloutRow>('SELECT * FROM rollouts ORDER BY id DESC LIMIT 20')).rows;
}

export interface RolloutRow {
  id: number;
  release: string;
  targets_version: number;
  waves: string[][];
  failure_limit: number;
  wave: number;
  state: 'running' | 'halted' | 'done';
  reason: string | null;
  started_by: string;
  wave_timeout_ms: number | null;
}

export interface StartRollout {
  release: string;
  targetsVersion: number;
  canary: string[];
  /** Cumulative shares of the remaining gates per wave, e.g. [0.1, 0.5]; the last wave takes the rest. */
  shares: number[];
  failureLimit: number;
  /** Gates of a wave silent this long after it was allowed count as failed (rollout.ts). */
  waveTimeoutMs?: number;
}

/**
 * Staged rollouts kept in PostgreSQL, so any central instance can advance them: start()
 * plans the waves over every known gate and allows the canary group; tick() reads each
 * allowed gate's outcome from its journalled update events (update_confirmed,
 * update_rolled_back, update_refused for that targets version), then advances a finished
 * wave, or halts — raising a ROLLOUT_HALTED alarm — once failures pass the limit.
 */
export class RolloutService {
  constructor(
    private readonly pool: Pool,
    private readonly commands: CommandService,
    private readonly instance: string,
  ) {}

  async migrate(): Promise<void> {
    await migrateRollouts(this.pool);
  }

  async start(actor: Actor, s: StartRollout): Promise<RolloutRow> {
    if (actor.role !== 'supervisor') throw new CentralError('CENTRAL_FORBIDDEN', 'only a supervisor starts a rollout');
    if (!(s.failureLimit >= 0 && s.failureLimit < 1)) throw new CentralError('CENTRAL_BAD_REQUEST', 'failureLimit must be in [0, 1)');
    if (s.waveTimeoutMs !== undefined && !(Number.isInteger(s.waveTimeoutMs) && s.waveTimeoutMs > 0)) throw new CentralError('CENTRAL_BAD_REQUEST', 'waveTimeoutMs must be a positive integer');
    const gates = (await this.pool.query<{ gate: string }>('SELECT gate FROM gates')).rows.map((r) => r.gate);
    let waves: string[][];
    try {
      waves = planWaves(gates, s.canary, s.shares);
    } catch (e) {
      throw new CentralError('CENTRAL_BAD_REQUEST', (e as Error).message);
    }
    const row = await inTransaction(this.pool, async (c) => {
      const r = await c.query<RolloutRow>(
        "INSERT INTO rollouts (release, targets_version, waves, failure_limit, state, started_by, wave_timeout_ms) VALUES ($1, $2, $3, $4, 'running', $5, $6) RETURNING *",
        [s.release, s.targetsVersion, JSON.stringify(waves), s.failureLimit, actor.user, s.waveTimeoutMs ?? null],
      );
      await audit(c, this.instance, actor, 'rollout_started', { id: r.rows[0]!.id, release: s.release, waves: waves.map((w) => w.length), failure_limit: s.failureLimit });
      return r.rows[0]!;
    });
    await this.#allow(row, 0);
    return row;
  }

  /** Each gate's latest outcome for the rollout's targets version. */
  async outcomes(r: RolloutRow): Promise<Map<string, GateOutcome>> {
    const res = await this.pool.query<{ gate: string; type: string }>(
      `SELECT DISTINCT ON (gate) gate, type FROM events
       WHERE type IN ('update_confirmed', 'update_rolled_back', 'update_refused') AND gate = ANY($1) AND data->>'targets_version' = $2
       ORDER BY gate, seq DESC`,
      [r.waves.flat(), String(r.targets_version)],
    );
    const kind: Record<string, GateOutcome> = { update_confirmed: 'confirmed', update_rolled_back: 'rolled_back', update_refused: 'refused' };
    return new Map(res.rows.map((x) => [x.gate, kind[x.type]!]));
  }

  /** Advances or halts every running rollout; returns what each one decided. */
  async tick(): Promise<{ id: number; decision: Decision }[]> {
    const running = await this.pool.query<RolloutRow & { wave_elapsed_ms: number }>(
      "SELECT *, (extract(epoch FROM now() - wave_started_at) * 1000)::float8 AS wave_elapsed_ms FROM rollouts WHERE state = 'running' ORDER BY id",
    );
    const out: { id: number; decision: Decision }[] = [];
    for (const r of running.rows) {
      const plan: RolloutPlan = { release: r.release, targetsVersion: r.targets_version, waves: r.waves, failureLimit: r.failure_limit, ...(r.wave_timeout_ms !== null ? { waveTimeoutMs: r.wave_timeout_ms } : {}) };
      const d = decide(plan, r.wave, await this.outcomes(r), r.wave_elapsed_ms);
      out.push({ id: r.id, decision: d });
      if (d.action === 'advance') {
        // Only one instance moves a wave: the row update is conditional on the wave it read.
        const moved = await this.pool.query("UPDATE rollouts SET wave = wave + 1, wave_started_at = now(), updated_at = now() WHERE id = $1 AND wave = $2 AND state = 'running'", [r.id, r.wave]);
        if (moved.rowCount) await this.#allow({ ...r, wave: r.wave + 1 }, r.wave + 1);
      } else if (d.action === 'halt' || d.action === 'done') {
        const reason = d.action === 'halt' ? `${d.failed} of ${d.allowed} allowed gates failed${d.silent ? ` (${d.silent} silent past the wave timeout of ${r.wave_timeout_ms} ms)` : ''} (limit ${r.failure_limit})` : null;
        const changed = await this.pool.query("UPDATE rollouts SET state = $2, reason = $3, updated_at = now() WHERE id = $1 AND state = 'running'", [r.id, d.action === 'halt' ? 'halted' : 'done', reason]);
        if (changed.rowCount && d.action === 'halt') {
          await inTransaction(this.pool, (c) =>
            applyAlarms(c, [{ op: 'raise', gate: '*', site: '*', kind: 'rollout', code: 'ROLLOUT_HALTED', detail: { rollout: r.id, release: r.release, failed: d.failed, allowed: d.allowed }, seq: null }]),
          );
        }
        await this.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'rollout', id: r.id })]);
      }
    }
    return out;
  }

  list(): Promise<RolloutRow[]> {
    return listRollouts(this.pool);
  }

  async #allow(r: RolloutRow, wave: number): Promise<void> {
    const actor: Actor = { user: r.started_by, role: 'supervisor' };
    for (const gate of r.waves[wave] ?? []) {
      await this.commands.request(actor, { type: 'allow_update', target: gate, args: { targetsVersion: r.targets_version, release: r.release } });
    }
  }
}
