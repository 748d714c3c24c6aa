import { EVENT_TYPES, GENESIS_PREV, type JournalEvent } from '../../kiosk/journal/index.ts';
import { wireEventHash } from './wire-hash.ts';

/** Where the centre's copy of one gate's chain ends (undefined: nothing held yet). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export type ChainProblem =
  | { code: 'CHAIN_MALFORMED'; seq: number | null; detail: string }
  | { code: 'CHAIN_REORDERED'; seq: number; detail: string }
  | { code: 'CHAIN_BAD_HASH'; seq: number; detail: string }
  | { code: 'CHAIN_BROKEN'; seq: number; detail: string }
  | { code: 'CHAIN_FORK'; seq: number; detail: string };

export interface ChainVerdict {
  /** Events that extend the chain, in seq order, verified. */
  accept: JournalEvent[];
  /** Repeats of events already held with the same hash (at-least-once delivery). */
  duplicates: number;
  /** Events at or below the head that the centre does not hold (a gap filled late, or before the first held): stored, not re-linked. */
  late: JournalEvent[];
  /** The batch starts past head+1: hold it until the missing events come (or the gap is declared). */
  ahead: boolean;
  problems: ChainProblem[];
  head: ChainHead | undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** The journal writes Date#toISOString(); nothing else is a gate's timestamp. */
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const TYPES = new Set<string>(EVENT_TYPES);

/** A wire event's shape, before any hash is trusted. Returns a reason or undefined. */
export function shapeProblem(e: unknown, gate: string): string | undefined {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'not an object';
  const v = e as Record<string, unknown>;
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 1) return 'seq is not a positive integer';
  if (typeof v.id !== 'string' || v.id.length < 1 || v.id.length > 64) return 'bad id';
  if (v.gate !== gate) return 'event gate differs from its topic';
  if (typeof v.ts !== 'string' || !ISO_TS.test(v.ts) || Number.isNaN(Date.parse(v.ts))) return 'bad ts';
  if (typeof v.type !== 'string' || !TYPES.has(v.type)) return 'unknown type';
  if (typeof v.data !== 'object' || v.data === null || Array.isArray(v.data)) return 'data is not an object';
  if (typeof v.prev !== 'string' || !HEX64.test(v.prev) || typeof v.hash !== 'string' || !HEX64.test(v.hash)) return 'prev/hash not 64 hex';
  return undefined;
}

/**
 * The part of a batch's check that needs no chain head: shape, consecutive seq, and each
 * event's own hash (recomputed; `hashBadAt` is the first event whose hash does not match).
 * The ingest does this as a message arrives, while the previous group's transaction is
 * still in PostgreSQL; only the linking (`linkBatch`) waits for the locked head.
 */
export interface PreparedBatch {
  events: JournalEvent[];
  problem: ChainProblem | undefined;
  hashBadAt: number;
}

export function prepareBatch(gate: string, batch: unknown): PreparedBatch {
  if (!Array.isArray(batch) || batch.length === 0) {
    return { events: [], problem: { code: 'CHAIN_MALFORMED', seq: null, detail: 'payload is not a non-empty JSON array' }, hashBadAt: 0 };
  }
  for (let i = 0; i < batch.length; i++) {
    const why = shapeProblem(batch[i], gate);
    if (why) {
      const seq = (batch[i] as { seq?: unknown })?.seq;
      return { events: [], problem: { code: 'CHAIN_MALFORMED', seq: Number.isSafeInteger(seq) ? (seq as number) : null, detail: why }, hashBadAt: 0 };
    }
  }
  const events = batch as JournalEvent[];
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq !== events[i - 1]!.seq + 1) {
      return { events: [], problem: { code: 'CHAIN_REORDERED', seq: events[i]!.seq, detail: `seq ${events[i]!.seq} follows ${events[i - 1]!.seq} in one batch` }, hashBadAt: 0 };
    }
  }
  let hashBadAt = events.length;
  for (let i = 0; i < events.length; i++) {
    let ok: boolean;
    try {
      ok = wireEventHash(events[i]!.prev, events[i]!) === events[i]!.hash;
    } catch {
      ok = false; // not encodable (lone surrogate): the gate could not have hashed it either
    }
    if (!ok) {
      hashBadAt = i;
      break;
    }
  }
  return { events, problem: undefined, hashBadAt };
}

/** prepareBatch and linkBatch in one (tests, benches). */
export function checkBatch(gate: string, batch: unknown, head: ChainHead | undefined, known: { get(seq: number): string | undefined }): ChainVerdict {
  return linkBatch(prepareBatch(gate, batch), head, known);
}

/**
 * Checks one batch (a JSON array of consecutive events, events.md) against the chain the
 * centre holds. Pure: `known` gives the stored hash of every seq at or below the head that
 * the batch repeats. From the first event the centre holds, each event must carry the
 * previous hash as `prev` and a hash that recomputes; seq 1 must start from 64 zeros. The
 * first bad event stops the batch: what comes after it is not stored (it cannot be
 * trusted), and the gate's genuine stream can still continue from the head.
 */
export function linkBatch(prepared: PreparedBatch, head: ChainHead | undefined, known: { get(seq: number): string | undefined }): ChainVerdict {
  const v: ChainVerdict = { accept: [], duplicates: 0, late: [], ahead: false, problems: [], head };
  if (prepared.problem) {
    v.problems.push(prepared.problem);
    return v;
  }
  const events = prepared.events;
  let cur = head;
  let late: ChainHead | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i >= prepared.hashBadAt) {
      v.problems.push({ code: 'CHAIN_BAD_HASH', seq: e.seq, detail: 'hash does not match the event (changed in transit or forged)' });
      break;
    }
    if (cur && e.seq <= cur.seq) {
      const stored = known.get(e.seq);
      if (stored === e.hash) v.duplicates++;
      else if (stored !== undefined) {
        v.problems.push({ code: 'CHAIN_FORK', seq: e.seq, detail: 'a second, different event with a seq already held' });
        break;
      } else if (late && late.hash === e.prev && late.seq === e.seq - 1) {
        // a batch that came after its gap was declared (another instance was slow) fills the
        // hole: its own links verify, and nothing is lost
        v.late.push(e);
        late = { seq: e.seq, hash: e.hash };
      } else if (!late) {
        v.late.push(e);
        late = { seq: e.seq, hash: e.hash };
      } else {
        v.problems.push({ code: 'CHAIN_BROKEN', seq: e.seq, detail: 'late events do not link to each other' });
        break;
      }
      continue;
    }
    if (cur && e.seq > cur.seq + 1) {
      if (v.accept.length === 0) v.ahead = true;
      break;
    }
    const expectPrev = cur ? cur.hash : e.seq === 1 ? GENESIS_PREV : e.prev;
    if (e.prev !== expectPrev) {
      const reordered = events.some((o) => o.hash === e.prev && o.seq > e.seq);
      v.problems.push({
        code: reordered ? 'CHAIN_REORDERED' : 'CHAIN_BROKEN',
        seq: e.seq,
        detail: cur ? `prev is not the hash of seq ${cur.seq}` : 'seq 1 must start from 64 zeros',
      });
      break;
    }
    v.accept.push(e);
    cur = { seq: e.seq, hash: e.hash };
  }
  v.head = cur;
  return v;
}
