import type { JournalEvent } from '../../kiosk/journal/index.ts';
import type { PoolClient } from '../db/pool.ts';

/** Outcomes that send a traveller to the counter (the console's referral queue). */
export const REFERRED = ['REJECTED_TOKEN', 'REJECTED_FACE', 'REJECTED_PAD', 'REJECTED_DOCUMENT', 'ABANDONED', 'TAILGATE'];
const REFERRED_SET = new Set(REFERRED);

const text = (v: unknown, max = 64): string | null => (typeof v === 'string' ? v.slice(0, max) : null);

/**
 * The console's throughput and referral views, kept up to date in the ingest transaction
 * instead of scanned from millions of events on every console refresh: finished crossings
 * per lane and hour (count, cycle time sum) and the referred crossings (pseudonymous, as
 * in the journal). Gate rows are locked by the caller, so two instances never add to one
 * lane's hour at once; the rows go in gate order.
 */
export async function updateRollups(c: PoolClient, rows: JournalEvent[], sites: string[]): Promise<void> {
  const hours = new Map<string, { g: string; s: string; h: string; n: number; sum: number; k: number }>();
  const refs: { g: string; q: number; s: string; t: string; c: string | null; o: string; r: string | null; u: string | null }[] = [];
  for (let i = 0; i < rows.length; i++) {
    const e = rows[i]!;
    if (e.type !== 'crossing_finished') continue;
    const d = e.data as Record<string, unknown>;
    if (typeof d.outcome !== 'string') continue; // redacted by the privacy guard
    const hour = `${e.ts.slice(0, 13)}:00:00Z`;
    const k = `${e.gate}|${hour}`;
    const total = (d.durations as { total_ms?: unknown } | undefined)?.total_ms;
    const h = hours.get(k) ?? { g: e.gate, s: sites[i]!, h: hour, n: 0, sum: 0, k: 0 };
    h.n++;
    if (typeof total === 'number' && Number.isFinite(total)) (h.sum += Math.round(total), h.k++);
    hours.set(k, h);
    if (REFERRED_SET.has(d.outcome)) refs.push({ g: e.gate, q: e.seq, s: sites[i]!, t: e.ts, c: text(d.crossing), o: d.outcome, r: text(d.reason), u: text(d.subject) });
  }
  if (hours.size > 0) {
    await c.query(
      `INSERT INTO lane_hours (gate, site, hour, crossings, cycle_ms_sum, cycle_n) SELECT g, s, h, n, sum, k
       FROM json_to_recordset($1::json) AS v(g text, s text, h timestamptz, n int, sum bigint, k int) ORDER BY g, h
       ON CONFLICT (gate, hour) DO UPDATE SET crossings = lane_hours.crossings + EXCLUDED.crossings,
         cycle_ms_sum = lane_hours.cycle_ms_sum + EXCLUDED.cycle_ms_sum, cycle_n = lane_hours.cycle_n + EXCLUDED.cycle_n`,
      [JSON.stringify([...hours.values()])],
    );
  }
  if (refs.length > 0) {
    await c.query(
      `INSERT INTO referrals (gate, seq, site, ts, crossing, outcome, reason, subject) SELECT g, q, s, t, c, o, r, u
       FROM json_to_recordset($1::json) AS v(g text, q bigint, s text, t timestamptz, c text, o text, r text, u text) ON CONFLICT DO NOTHING`,
      [JSON.stringify(refs)],
    );
  }
}
