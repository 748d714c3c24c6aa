import { inTransaction, type Pool } from '../db/pool.ts';
import { applyAlarms, storeBatches, type IngestResult } from './store.ts';

/**
 * Batches that waited longer than `graceMs` for the events before them: the missing range
 * is declared a gap (CHAIN_GAP alarm, unless the centre never held anything of that gate —
 * then the batch simply becomes the first event it holds), the chain is re-anchored on the
 * batch's `prev`, and the batch is stored through the normal path.
 */
export async function resolveGaps(pool: Pool, graceMs: number): Promise<IngestResult[]> {
  const stale = await pool.query<{ gate: string; site: string; first_seq: number }>(
    "SELECT DISTINCT ON (gate) gate, site, first_seq FROM pending_batches WHERE received_at < now() - make_interval(secs => $1) ORDER BY gate, first_seq",
    [graceMs / 1000],
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
 * Gates that say they are online but have sent neither status nor events for `silentMs`:
 * one open GATE_SILENT alarm each (raised by whichever instance sweeps first).
 */
export async function flagSilentGates(pool: Pool, silentMs: number): Promise<number> {
  const r = await pool.query(
    `INSERT INTO alarms (gate, site, kind, code, detail)
     SELECT g.gate, g.site, 'gate_silent', 'NO_STATUS', jsonb_build_object('seen_at', g.seen_at) FROM gates g
     WHERE g.online AND g.seen_at < now() - make_interval(secs => $1)
       AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.gate = g.gate AND a.kind = 'gate_silent' AND a.cleared_at IS NULL)`,
    [silentMs / 1000],
  );
  return r.rowCount ?? 0;
}
