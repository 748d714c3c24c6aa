import type pg from 'pg';

/**
 * The central store. Events are partitioned by day on `received_at` — the centre's own
 * clock, so a gate with a wrong clock or back after a week offline still lands in a
 * partition that exists — and keep the gate's `ts` as data. De-duplication by (gate, seq)
 * is not a unique index (a partitioned table can only enforce keys that contain the
 * partition key): each gate's chain head in `gate_chain` is locked for the batch and
 * every seq at or below it is a repeat, compared by hash (same hash: duplicate dropped;
 * other hash: a fork). `data` is `json` (validated, kept as sent) rather than `jsonb`, and
 * events carry no secondary index: that halves PostgreSQL's CPU per stored event; what the
 * console reads from events is kept in rollups written in the same transaction (`lane_hours`:
 * crossings and cycle time per lane and hour; `referrals`: the crossings sent to the counter).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  gate text NOT NULL, seq bigint NOT NULL, site text NOT NULL, id text NOT NULL,
  ts timestamptz NOT NULL, type text NOT NULL, data json NOT NULL, prev text NOT NULL, hash text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (gate, seq, received_at)
) PARTITION BY RANGE (received_at);
CREATE TABLE IF NOT EXISTS lane_hours (
  gate text NOT NULL, site text NOT NULL, hour timestamptz NOT NULL, crossings int NOT NULL, cycle_ms_sum bigint NOT NULL, cycle_n int NOT NULL,
  PRIMARY KEY (gate, hour)
);
CREATE TABLE IF NOT EXISTS referrals (
  gate text NOT NULL, seq bigint NOT NULL, site text NOT NULL, ts timestamptz NOT NULL, crossing text, outcome text NOT NULL, reason text, subject text,
  PRIMARY KEY (gate, seq)
);
CREATE INDEX IF NOT EXISTS referrals_ts ON referrals (ts);
CREATE TABLE IF NOT EXISTS gate_chain (
  gate text PRIMARY KEY, site text NOT NULL, first_seq bigint NOT NULL, head_seq bigint NOT NULL, head_hash text NOT NULL,
  events bigint NOT NULL DEFAULT 0, broken_at_seq bigint, updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS gate_keys (
  gate text NOT NULL, kid text NOT NULL, pem text NOT NULL, added_by text NOT NULL, added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (gate, kid)
);
CREATE TABLE IF NOT EXISTS pending_batches (
  gate text NOT NULL, first_seq bigint NOT NULL, last_seq bigint NOT NULL, site text NOT NULL, events jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (gate, first_seq)
);
CREATE TABLE IF NOT EXISTS gates (
  gate text PRIMARY KEY, site text NOT NULL, online boolean NOT NULL DEFAULT false, mode text, devices jsonb,
  last_seq bigint, unsent bigint, version text, status_at timestamptz, seen_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE gates ADD COLUMN IF NOT EXISTS profile text;
CREATE TABLE IF NOT EXISTS ingest_instances (
  grp text NOT NULL, instance text NOT NULL, beat_at timestamptz NOT NULL, caught_up_at timestamptz NOT NULL, PRIMARY KEY (grp, instance)
);
CREATE TABLE IF NOT EXISTS console_sessions (
  sid_hash text PRIMARY KEY, usr text NOT NULL, role text NOT NULL, instance text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS alarms (
  id bigserial PRIMARY KEY, gate text NOT NULL, site text NOT NULL, kind text NOT NULL, code text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}', seq bigint, raised_at timestamptz NOT NULL DEFAULT now(), cleared_at timestamptz,
  acked_by text, acked_at timestamptz, notes jsonb NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX IF NOT EXISTS alarms_once ON alarms (gate, kind, code, seq) WHERE seq IS NOT NULL;
CREATE INDEX IF NOT EXISTS alarms_open ON alarms (raised_at) WHERE acked_at IS NULL;
CREATE TABLE IF NOT EXISTS audit (
  id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), actor text NOT NULL, role text NOT NULL,
  action text NOT NULL, detail jsonb NOT NULL DEFAULT '{}', instance text NOT NULL
);
CREATE TABLE IF NOT EXISTS commands (
  id text PRIMARY KEY, type text NOT NULL, target text NOT NULL, gates text[] NOT NULL, args jsonb NOT NULL,
  widening boolean NOT NULL, state text NOT NULL, requested_by text NOT NULL, requested_at timestamptz NOT NULL DEFAULT now(),
  approved_by text, approved_at timestamptz, published_at timestamptz, version bigserial
);
CREATE TABLE IF NOT EXISTS command_results (
  command_id text NOT NULL, gate text NOT NULL, ok boolean NOT NULL, error text, at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (command_id, gate)
);
CREATE TABLE IF NOT EXISTS arrival_records (
  arrival text PRIMARY KEY, gate text NOT NULL, site text NOT NULL, sealed bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz
);
CREATE INDEX IF NOT EXISTS arrival_records_expiry ON arrival_records (expires_at);
`;

/** Creates the tables (idempotent; several instances may race: an advisory lock serialises them). */
export async function migrate(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock(1717)');
    await c.query(DDL);
  } finally {
    await c.query('SELECT pg_advisory_unlock(1717)').catch(() => {});
    c.release();
  }
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** Partition name for the UTC day that starts at `d`. */
export function partitionName(d: Date): string {
  return `events_${day(d).replaceAll('-', '')}`;
}

/**
 * Makes sure day partitions exist from `back` days before `now` to `ahead` days after it.
 * Returns the names it created.
 */
export async function ensurePartitions(pool: pg.Pool, now: Date, back: number, ahead: number): Promise<string[]> {
  const made: string[] = [];
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock(1718)');
    for (let i = -back; i <= ahead; i++) {
      const from = new Date(start + i * 86_400_000);
      const to = new Date(start + (i + 1) * 86_400_000);
      const name = partitionName(from);
      const exists = await c.query('SELECT 1 FROM pg_class WHERE relname = $1', [name]);
      if (exists.rowCount) continue;
      await c.query(`CREATE TABLE ${name} PARTITION OF events FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`);
      made.push(name);
    }
  } finally {
    await c.query('SELECT pg_advisory_unlock(1718)').catch(() => {});
    c.release();
  }
  return made;
}

/**
 * Retention: drops whole day partitions older than `eventDays` (no row-by-row delete, no
 * bloat) and the referrals and lane hours of that age with them, and deletes acknowledged
 * alarms, command results and audit rows older than `recordDays`. Returns the dropped partitions.
 */
export async function purge(pool: pg.Pool, now: Date, eventDays: number, recordDays: number): Promise<{ dropped: string[]; rows: number }> {
  const cutoff = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - eventDays * 86_400_000;
  const parts = await pool.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'",
  );
  const dropped: string[] = [];
  for (const { name } of parts.rows) {
    const m = /^events_(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!m) continue;
    const end = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + 86_400_000;
    if (end <= cutoff) {
      await pool.query(`DROP TABLE IF EXISTS ${name}`);
      dropped.push(name);
    }
  }
  const old = new Date(now.getTime() - recordDays * 86_400_000);
  let rows = 0;
  rows += (await pool.query('DELETE FROM referrals WHERE ts < $1', [new Date(cutoff)])).rowCount ?? 0;
  rows += (await pool.query('DELETE FROM lane_hours WHERE hour < $1', [new Date(cutoff)])).rowCount ?? 0;
  rows += (await pool.query('DELETE FROM alarms WHERE acked_at IS NOT NULL AND raised_at < $1', [old])).rowCount ?? 0;
  rows += (await pool.query('DELETE FROM command_results WHERE at < $1', [old])).rowCount ?? 0;
  rows += (await pool.query('DELETE FROM audit WHERE at < $1', [old])).rowCount ?? 0;
  // counters' arrival records (sealed) live no longer centrally than the life they were given
  rows += (await pool.query('DELETE FROM arrival_records WHERE expires_at < $1', [now])).rowCount ?? 0;
  return { dropped: dropped.sort(), rows };
}
