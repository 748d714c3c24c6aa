import { inTransaction, type Pool } from '../db/pool.ts';
import { applyAlarms, storeBatches, type IngestResult } from './store.ts';

/**
 * An instance whose heartbeat is older than this is taken for dead: batches its session
 * holds are not waited for (they fill the hole late, as `late` events, when it returns).
 */
export const liveMsFor = (graceMs: number): number => Math.max(30_000, 4 * graceMs);

/**
 * The moment up to which every live ingest instance of `group` has stored all it was sent
 * (`ingest_instances.caught_up_at`, written by each instance's heartbeat): a message the
 * broker had accepted well before that moment is stored by then — or lost. With no live
 * instance recorded (a script, a test calling the sweep alone), now().
 */
const CAUGHT_UP = `COALESCE((SELECT min(caught_up_at) FROM ingest_instances WHERE grp = $2 AND beat_at > now() - make_interval(secs => $3)), now())`;

/**
 * Batches ahead of their gate's chain whose missing events are truly missing: every live
 * instance has been caught up (its queue empty, everything acknowledged) at least `graceMs`
 * after the waiting batch arrived. The gate sends in seq order, one batch at a time, the next
 * only after the broker acknowledged the one before; so the waiting batch proves the missing
 * ones were accepted by the broker before it, and a caught-up fleet of instances proves they
 * are not in any instance's queue. How long a backlog takes to drain does not matter: an
 * instance that is behind is not caught up. `graceMs` only bounds the broker→instance transit.
 * The missing range is declared a gap (CHAIN_GAP alarm, unless the centre never held anything
 * of that gate — then the batch simply becomes the first event it holds), the chain is
 * re-anchored on the batch's `prev`, and the batch is stored through the normal path.
 */
export async function resolveGaps(pool: Pool, graceMs: number, group: string): Promise<IngestResult[]> {
  const stale = await pool.query<{ gate: string; site: string; first_seq: number }>(
    `SELECT DISTINCT ON (gate) gate, site, first_seq FROM pending_batches
     WHERE received_at < now() - make_interval(secs => $1) AND received_at + make_interval(secs => $1) <= ${CAUGHT_UP}
     ORDER BY gate, first_seq`,
    [graceMs / 1000, group, liveMsFor(graceMs) / 1000],
  );
  const out: IngestResult[] = [];
  for (const s of stale.rows) {
    const moved = await inTransaction(pool, async (c) => {
      const head = await c.query<{ head_seq: number }>('SELECT head_seq FROM gate_chain WHERE gate = $1 FOR UPDATE', [s.gate]);
      const p = await c.query<{ first_seq: number; events: { prev: string }[] }>('SELECT first_seq, events FROM pending_batches WHERE gate = $1 ORDER BY first_seq LIMIT 1', [s.gate]);
      const first = p.rows[0];
      const headSeq = head.rows[0]?.head_seq ?? -1;
      if (!first || (headSeq >= 0 && first.first_seq <= headSeq + 1)) return false; // filled meanwhile
      if (headSeq >= 0) {
        await applyAlarms(c, [{ op: 'raise', gate: s.gate, site: s.site, kind: 'chain_broken', code: 'CHAIN_GAP', detail: { missing_from: headSeq + 1, missing_to: first.first_seq - 1 }, seq: first.first_seq }]);
      }
      await c.query('UPDATE gate_chain SET head_seq = $2::bigint, head_hash = $3, broken_at_seq = CASE WHEN head_seq >= 0 THEN $2::bigint + 1 ELSE broken_at_seq END WHERE gate = $1', [s.gate, first.first_seq - 1, first.events[0]!.prev]);
      return true;
    });
    // the re-anchored chain takes the waiting batches through the normal, locked path
    if (moved) out.push(await drainGate(pool, s.gate, s.site));
  }
  return out;
}

/** Stores a gate's waiting batches that now continue its chain. */
async function drainGate(pool: Pool, gate: string, site: string): Promise<IngestResult> {
  const p = await pool.query<{ events: unknown }>('SELECT events FROM pending_batches WHERE gate = $1 ORDER BY first_seq LIMIT 1', [gate]);
  if (!p.rows[0]) return { stored: 0, duplicates: 0, held: 0, problems: 0 };
  // re-offering the first waiting batch lets storeBatches accept it and drain the rest
  return storeBatches(pool, [{ gate, site, payload: p.rows[0].events }]);
}

/**
 * Gates that say they are online but had sent neither status nor events for `silentMs` before
 * the moment every live instance was caught up to: one open GATE_SILENT alarm each (raised by
 * whichever instance sweeps first). Measured against now(), a gate whose messages wait in a
 * backlogged instance's queue would look silent although it is talking.
 */
export async function flagSilentGates(pool: Pool, silentMs: number, group: string, graceMs: number): Promise<number> {
  const r = await pool.query(
    `INSERT INTO alarms (gate, site, kind, code, detail)
     SELECT g.gate, g.site, 'gate_silent', 'NO_STATUS', jsonb_build_object('seen_at', g.seen_at) FROM gates g
     WHERE g.online AND g.seen_at < ${CAUGHT_UP} - make_interval(secs => $1)
       AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.gate = g.gate AND a.kind = 'gate_silent' AND a.cleared_at IS NULL)`,
    [silentMs / 1000, group, liveMsFor(graceMs) / 1000],
  );
  return r.rowCount ?? 0;
}

/** An instance's heartbeat: alive now, caught up `behindMs` ago (0: its queue is empty now). */
export async function beat(pool: Pool, group: string, instance: string, behindMs: number): Promise<void> {
  await pool.query(
    `INSERT INTO ingest_instances (grp, instance, beat_at, caught_up_at) VALUES ($1, $2, now(), now() - make_interval(secs => $3))
     ON CONFLICT (grp, instance) DO UPDATE SET beat_at = excluded.beat_at, caught_up_at = excluded.caught_up_at`,
    [group, instance, behindMs / 1000],
  );
}

/** A cleanly stopped instance is no longer waited for. */
export async function leave(pool: Pool, group: string, instance: string): Promise<void> {
  await pool.query('DELETE FROM ingest_instances WHERE grp = $1 AND instance = $2', [group, instance]);
}
