import type { KeyObject } from 'node:crypto';
import { CHECKPOINT_EVENT, openCheckpoint } from './checkpoint.ts';
import { JournalError } from './errors.ts';
import { isEventType } from './event-types.ts';
import { GENESIS_PREV, eventHash } from './hash.ts';
import { openJournalDb, readMeta, type Db, type EventRow } from './journal-db.ts';

export type VerifyFailure =
  | 'seq_gap'
  | 'prev_mismatch'
  | 'hash_mismatch'
  | 'gate_mismatch'
  | 'malformed'
  /** A checkpoint's signature or format is bad (forged, or signed by another key). */
  | 'checkpoint_invalid'
  /** A valid checkpoint signed a different head: the history before it was rewritten. */
  | 'checkpoint_mismatch'
  /** The purge anchor carries no valid signature: the oldest events may have been deleted and the anchor forged. */
  | 'anchor_unsigned'
  /** More events (or older ones) follow the last checkpoint than the gate ever leaves unsigned: checkpoints were removed. */
  | 'unsigned_history';

export interface VerifyOptions {
  /** The gate's checkpoint public key: checkpoints and the anchor are then checked, and required. */
  checkpointKey?: KeyObject;
  /** Most events allowed after the last checkpoint (default 200: twice the gate's default interval). */
  maxUnsigned?: number;
  /** Oldest unsigned event allowed, in ms before the newest event (default 120 s: twice the gate's default). */
  maxUnsignedAgeMs?: number;
}

export interface VerifyResult {
  ok: boolean;
  /** Events checked before the first bad one (all of them when ok). */
  events: number;
  /** seq the chain starts after: 0, or the anchor left by a retention purge. */
  anchorSeq: number;
  /** Seq of the last good event (anchorSeq when none). */
  lastGoodSeq: number;
  firstBad?: { seq: number; reason: VerifyFailure; detail: string };
  /** With a checkpoint key: checkpoints that verified, the newest signed head, events after it. */
  checkpoints?: { verified: number; lastSignedSeq: number; unsigned: number };
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks a journal end to end: seq continuous from the anchor (or 1), each prev equal to the
 * previous hash, each hash recomputed from prev ‖ JCS of the stored fields, one gate
 * throughout. Stops at the first bad event: a changed, removed or reordered event breaks
 * the chain there. Cannot see events removed from the tail — the central copy covers that.
 * Accepts a path (opened read-only) or an open database (a live journal's `db`).
 */
export function verifyJournal(source: string | Db, opts: VerifyOptions = {}): VerifyResult {
  const db = typeof source === 'string' ? openJournalDb(source, { readonly: true }) : source;
  try {
    return verifyDb(db, opts);
  } catch (err) {
    throw new JournalError('JOURNAL_IO', `cannot read journal: ${(err as Error).message}`, { cause: err });
  } finally {
    if (typeof source === 'string') db.close();
  }
}

function verifyDb(db: Db, opts: VerifyOptions): VerifyResult {
  const anchorSeq = Number(readMeta(db, 'anchor_seq') ?? 0);
  let prev = readMeta(db, 'anchor_hash') ?? GENESIS_PREV;
  const gate = readMeta(db, 'gate');
  const key = opts.checkpointKey;
  let expected = anchorSeq + 1;
  let events = 0;
  const cps = { verified: 0, lastSignedSeq: anchorSeq, unsigned: 0 };
  let firstUnsignedTs: string | undefined;
  let lastTs: string | undefined;
  const fail = (seq: number, reason: VerifyFailure, detail: string): VerifyResult => ({
    ok: false,
    events,
    anchorSeq,
    lastGoodSeq: expected - 1,
    firstBad: { seq, reason, detail },
    ...(key ? { checkpoints: cps } : {}),
  });
  if (key && anchorSeq > 0) {
    const signed = readMeta(db, 'anchor_signed');
    const opened = signed ? openCheckpoint(new Uint8Array(Buffer.from(signed, 'base64')), key) : undefined;
    if (!opened?.ok) return fail(anchorSeq + 1, 'anchor_unsigned', `the anchor at seq ${anchorSeq} has no valid signature${opened && !opened.ok ? ` (${opened.detail})` : ''}: events before it may have been deleted`);
    const p = opened.payload;
    if (p.kind !== 'anchor' || p.seq !== anchorSeq || p.hash !== prev || (gate !== undefined && p.gate !== gate)) {
      return fail(anchorSeq + 1, 'anchor_unsigned', `the signed anchor is seq ${p.seq}, the journal's is seq ${anchorSeq} (or its hash differs): the start of the journal was changed`);
    }
  }
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
    if (key && row.type === CHECKPOINT_EVENT) {
      const d = data as { seq?: unknown; hash?: unknown; signed?: unknown };
      const opened = typeof d.signed === 'string' ? openCheckpoint(new Uint8Array(Buffer.from(d.signed, 'base64')), key) : undefined;
      if (!opened?.ok) return fail(row.seq, 'checkpoint_invalid', opened && !opened.ok ? opened.detail : 'checkpoint without a signature');
      const p = opened.payload;
      if (p.kind !== 'checkpoint' || p.seq !== row.seq - 1 || p.gate !== row.gate || d.seq !== p.seq || d.hash !== p.hash) {
        return fail(row.seq, 'checkpoint_invalid', `checkpoint signs seq ${p.seq}, not the event before it`);
      }
      if (p.hash !== prev) {
        return fail(row.seq, 'checkpoint_mismatch', `the signed hash of seq ${p.seq} differs from the chain's: history after seq ${cps.lastSignedSeq} was rewritten`);
      }
      cps.verified++;
      cps.lastSignedSeq = p.seq;
      cps.unsigned = 0;
      firstUnsignedTs = undefined;
    } else {
      cps.unsigned++;
      firstUnsignedTs ??= row.ts;
    }
    lastTs = row.ts;
    prev = row.hash;
    expected++;
    events++;
  }
  if (key) {
    const maxUnsigned = opts.maxUnsigned ?? 200;
    const maxAge = opts.maxUnsignedAgeMs ?? 120_000;
    const age = firstUnsignedTs && lastTs ? Date.parse(lastTs) - Date.parse(firstUnsignedTs) : 0;
    if (cps.unsigned > maxUnsigned || age > maxAge) {
      return fail(cps.lastSignedSeq + 1, 'unsigned_history', `${cps.unsigned} events over ${Math.round(age / 1000)} s follow the last checkpoint (seq ${cps.lastSignedSeq}); the gate signs at least every ${maxUnsigned} events / ${maxAge / 1000} s: checkpoints were removed`);
    }
  }
  return { ok: true, events, anchorSeq, lastGoodSeq: expected - 1, ...(key ? { checkpoints: cps } : {}) };
}
