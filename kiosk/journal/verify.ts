import { JournalError } from './errors.ts';
import { isEventType } from './event-types.ts';
import { GENESIS_PREV, eventHash } from './hash.ts';
import { openJournalDb, readMeta, type Db, type EventRow } from './journal-db.ts';

export type VerifyFailure = 'seq_gap' | 'prev_mismatch' | 'hash_mismatch' | 'gate_mismatch' | 'malformed';

export interface VerifyResult {
  ok: boolean;
  /** Events checked before the first bad one (all of them when ok). */
  events: number;
  /** seq the chain starts after: 0, or the anchor left by a retention purge. */
  anchorSeq: number;
  /** Seq of the last good event (anchorSeq when none). */
  lastGoodSeq: number;
  firstBad?: { seq: number; reason: VerifyFailure; detail: string };
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks a journal end to end: seq continuous from the anchor (or 1), each prev equal to the
 * previous hash, each hash recomputed from prev ‖ JCS of the stored fields, one gate
 * throughout. Stops at the first bad event: a changed, removed or reordered event breaks
 * the chain there. Cannot see events removed from the tail — the central copy covers that.
 * Accepts a path (opened read-only) or an open database (a live journal's `db`).
 */
export function verifyJournal(source: string | Db): VerifyResult {
  const db = typeof source === 'string' ? openJournalDb(source, { readonly: true }) : source;
  try {
    return verifyDb(db);
  } catch (err) {
    throw new JournalError('JOURNAL_IO', `cannot read journal: ${(err as Error).message}`, { cause: err });
  } finally {
    if (typeof source === 'string') db.close();
  }
}

function verifyDb(db: Db): VerifyResult {
  const anchorSeq = Number(readMeta(db, 'anchor_seq') ?? 0);
  let prev = readMeta(db, 'anchor_hash') ?? GENESIS_PREV;
  const gate = readMeta(db, 'gate');
  let expected = anchorSeq + 1;
  let events = 0;
  const fail = (seq: number, reason: VerifyFailure, detail: string): VerifyResult => ({
    ok: false,
    events,
    anchorSeq,
    lastGoodSeq: expected - 1,
    firstBad: { seq, reason, detail },
  });
  for (const row of db.prepare('SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
    if (row.seq !== expected) return fail(expected, 'seq_gap', `expected seq ${expected}, found ${row.seq}`);
    if (gate !== undefined && row.gate !== gate) return fail(row.seq, 'gate_mismatch', `event belongs to gate ${row.gate}, journal to ${gate}`);
    if (row.prev !== prev) return fail(row.seq, 'prev_mismatch', 'prev is not the hash of the previous event');
    let data: unknown;
    try {
      data = JSON.parse(row.data);
    } catch {
      return fail(row.seq, 'malformed', 'data is not JSON');
    }
    if (!isEventType(row.type)) return fail(row.seq, 'malformed', 'unknown event type');
    if (!HEX64.test(row.hash)) return fail(row.seq, 'malformed', 'hash is not 64 lower-case hex');
    const recomputed = eventHash(prev, { id: row.id, seq: row.seq, gate: row.gate, ts: row.ts, type: row.type, data: data as never });
    if (recomputed !== row.hash) return fail(row.seq, 'hash_mismatch', 'stored hash does not match the event');
    prev = row.hash;
    expected++;
    events++;
  }
  return { ok: true, events, anchorSeq, lastGoodSeq: expected - 1 };
}
