import { statSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { monotonicFactory } from 'ulid';
import type { Clock, TimerHandle } from '../clock.ts';
import { JournalError } from './errors.ts';
import { DATA_SCHEMAS, isEventType, type EventDataMap, type EventType, type JournalEvent } from './event-types.ts';
import { GENESIS_PREV, eventHash } from './hash.ts';
import { cached, openJournalDb, readMeta, writeMeta, type Db, type EventRow } from './journal-db.ts';
import { CHECKPOINT_EVENT, signCheckpoint, type CheckpointKey } from './checkpoint.ts';
import { assertJournalSafe } from './privacy-guard.ts';
import { Pseudonymizer } from './pseudonym.ts';

export interface JournalOptions {
  /** SQLite file; created with its directory on first use. */
  path: string;
  /** This gate's id (config `gate`); a journal belongs to one gate for life. */
  gate: string;
  clock: Clock;
  /** Gate secret for subject pseudonyms (config journal.secretPath). */
  secretPath: string;
  /**
   * Signed checkpoints (checkpoint.ts): after every `everyEvents` events, and every
   * `everyMs` while events came in, the head is signed and journalled; also at open when
   * events follow the last checkpoint (a gate killed before its timer), and the anchor of
   * every purge is signed. Without it the journal writes no checkpoints.
   */
  checkpoint?: { key: CheckpointKey; everyEvents: number; everyMs: number };
}

export interface PurgeResult {
  purged: number;
  /** seq and hash of the last purged event: where the remaining chain now starts. */
  anchorSeq: number;
  anchorHash: string;
}

const DAY_MS = 86_400_000;

function toEvent(row: EventRow): JournalEvent {
  return { ...row, type: row.type as EventType, data: JSON.parse(row.data) as JournalEvent['data'] };
}

/**
 * The gate's local journal of events.md: one SQLite file, one hash chain, seq gap-free
 * from 1. `append` is synchronous and returns only after the event is committed with
 * synchronous=FULL, so whatever the gate reports as done is already on disk. Seq and prev
 * are read inside the same IMMEDIATE transaction as the insert, so a crash or a second
 * writer can never produce a gap, a duplicate or a fork. It also serves as the MQTT outbox:
 * events are read in seq order and marked delivered after the broker's PUBACK.
 */
export class Journal {
  readonly gate: string;
  readonly path: string;
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #pseudonyms: Pseudonymizer;
  readonly #ulid = monotonicFactory();
  readonly #insert: (type: EventType, data: unknown) => JournalEvent;
  readonly #checkpoint: JournalOptions['checkpoint'];
  #timer: TimerHandle | undefined;
  /** Seq of the newest checkpoint event (0: none). */
  #checkpointSeq = 0;

  private constructor(opts: JournalOptions, db: Db) {
    this.gate = opts.gate;
    this.path = opts.path;
    this.#db = db;
    this.#clock = opts.clock;
    this.#pseudonyms = Pseudonymizer.fromFile(opts.secretPath);
    const tail = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare('INSERT INTO events (seq, id, gate, ts, type, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    // `data` may be computed from the head inside the transaction (a checkpoint signs the head it follows)
    const tx = db.transaction((type: EventType, given: unknown): JournalEvent => {
      const last = tail.get() as { seq: number; hash: string } | undefined;
      const { seq: lastSeq, hash: prev } = last ?? this.#anchor();
      const now = this.#clock.now();
      const data = typeof given === 'function' ? (given as (seq: number, hash: string, now: number) => unknown)(lastSeq, prev, now) : given;
      const event = { id: this.#ulid(now), seq: lastSeq + 1, gate: this.gate, ts: new Date(now).toISOString(), type, data } as JournalEvent;
      event.prev = prev;
      event.hash = eventHash(prev, event);
      insert.run(event.seq, event.id, event.gate, event.ts, event.type, canonicalize(data) ?? 'null', event.prev, event.hash);
      return event;
    });
    this.#insert = (type, data) => tx.immediate(type, data);
    this.#checkpoint = opts.checkpoint;
    if (this.#checkpoint) {
      const row = db.prepare('SELECT MAX(seq) AS seq FROM events WHERE type = ?').get(CHECKPOINT_EVENT) as { seq: number | null };
      this.#checkpointSeq = row.seq ?? 0;
      this.#timer = this.#clock.setInterval(() => this.#checkpointIfNew(), this.#checkpoint.everyMs);
      // events after the last checkpoint were written by a run that ended before signing them
      this.#checkpointIfNew();
    }
  }

  /** Signs and journals the head now, when events follow the last checkpoint. Returns the checkpoint event, if one was written. */
  checkpointNow(): JournalEvent<'journal_checkpoint'> | undefined {
    const cp = this.#checkpoint;
    if (!cp || this.lastSeq() <= this.#checkpointSeq) return undefined;
    const event = this.#insert(CHECKPOINT_EVENT, (seq: number, hash: string, now: number) => {
      const signed = signCheckpoint(cp.key, { v: 1, kind: 'checkpoint', gate: this.gate, seq, hash, ts: new Date(now).toISOString() });
      return { seq, hash, kid: cp.key.kid, signed: Buffer.from(signed).toString('base64') };
    }) as JournalEvent<'journal_checkpoint'>;
    this.#checkpointSeq = event.seq;
    return event;
  }

  #checkpointIfNew(): void {
    try {
      this.checkpointNow();
    } catch {
      // a full disk fails the next append loudly; the checkpoint is retried on the next tick
    }
  }

  /** Opens or creates the journal; refuses a file that belongs to another gate. */
  static open(opts: JournalOptions): Journal {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(opts.gate)) throw new JournalError('JOURNAL_BAD_ARGUMENT', 'gate id must be 1-32 letters, digits, _ or -');
    const db = openJournalDb(opts.path);
    try {
      const owner = readMeta(db, 'gate');
      if (owner === undefined) writeMeta(db, 'gate', opts.gate);
      else if (owner !== opts.gate) throw new JournalError('JOURNAL_GATE_MISMATCH', `journal ${opts.path} belongs to gate ${owner}, not ${opts.gate}`);
      return new Journal(opts, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Appends one event and returns it as stored (data in canonical form: keys whose value is
   * undefined are dropped). Throws JournalError JOURNAL_BAD_TYPE, JOURNAL_PRIVACY,
   * JOURNAL_BAD_DATA (nothing is written), or JOURNAL_IO (disk full, I/O error).
   */
  append<T extends EventType>(type: T, data: EventDataMap[T]): JournalEvent<T> {
    if (!isEventType(type)) throw new JournalError('JOURNAL_BAD_TYPE', 'unknown journal event type');
    assertJournalSafe(data);
    const check = DATA_SCHEMAS[type]?.safeParse(data);
    if (check && !check.success) {
      const where = check.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new JournalError('JOURNAL_BAD_DATA', `${type} data invalid: ${where}`);
    }
    if (type === CHECKPOINT_EVENT) throw new JournalError('JOURNAL_BAD_TYPE', 'checkpoints are written by the journal itself');
    const plain: unknown = JSON.parse(canonicalize(data) ?? 'null');
    let event: JournalEvent<T>;
    try {
      event = this.#insert(type, plain) as JournalEvent<T>;
    } catch (err) {
      throw new JournalError('JOURNAL_IO', `journal append failed: ${(err as Error).message}`, { cause: err });
    }
    const cp = this.#checkpoint;
    if (cp && event.seq - this.#checkpointSeq >= cp.everyEvents) this.#checkpointIfNew();
    return event;
  }

  /** The subject pseudonym for `sub` (events.md); the only form of a sub the journal takes. */
  pseudonym(sub: string): string {
    return this.#pseudonyms.pseudonym(sub);
  }

  /** Events with seq > `afterSeq`, in seq order, at most `limit` (the outbox read). */
  readAfter(afterSeq: number, limit: number): JournalEvent[] {
    if (!Number.isInteger(afterSeq) || !Number.isInteger(limit) || limit < 1) {
      throw new JournalError('JOURNAL_BAD_ARGUMENT', 'readAfter needs an integer seq and a positive integer limit');
    }
    const rows = cached(this.#db, 'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as EventRow[];
    return rows.map(toEvent);
  }

  /** One event by seq, or undefined when never written or already purged. */
  get(seq: number): JournalEvent | undefined {
    const row = cached(this.#db, 'SELECT * FROM events WHERE seq = ?').get(seq) as EventRow | undefined;
    return row && toEvent(row);
  }

  /** Seq of the newest event (0 for an empty journal; survives a purge of everything). */
  lastSeq(): number {
    const row = cached(this.#db, 'SELECT MAX(seq) AS seq FROM events').get() as { seq: number | null };
    return row.seq ?? this.#anchor().seq;
  }

  /** Highest seq the central system acknowledged (0 when none). */
  deliveredSeq(): number {
    return Number(readMeta(this.#db, 'delivered_seq') ?? 0);
  }

  /**
   * Persists that every event up to `uptoSeq` reached the broker (after its PUBACK). The
   * mark only moves forward; a lower value is ignored, a value past lastSeq is refused.
   */
  markDelivered(uptoSeq: number): void {
    if (!Number.isInteger(uptoSeq) || uptoSeq < 0) throw new JournalError('JOURNAL_BAD_ARGUMENT', 'delivered seq must be a non-negative integer');
    this.#db
      .transaction(() => {
        if (uptoSeq > this.lastSeq()) throw new JournalError('JOURNAL_BAD_ARGUMENT', `cannot mark seq ${uptoSeq} delivered: journal ends at ${this.lastSeq()}`);
        if (uptoSeq > this.deliveredSeq()) writeMeta(this.#db, 'delivered_seq', String(uptoSeq));
      })
      .immediate();
  }

  /** Events not yet acknowledged by the broker (exact: seq is gap-free). */
  undeliveredCount(): number {
    return this.lastSeq() - this.deliveredSeq();
  }

  /** Bytes on disk: database, WAL and shared-memory files (for the outbox fill alarm). */
  diskUsage(): number {
    let total = 0;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        total += statSync(this.path + suffix).size;
      } catch {
        // the WAL and shm files come and go with checkpoints
      }
    }
    return total;
  }

  /**
   * Retention purge: deletes the oldest events that are both delivered and older than
   * `retentionDays`, always a prefix of the chain, and records the last deleted event as
   * the anchor so the remaining chain still verifies from there.
   */
  purgeDelivered(retentionDays: number): PurgeResult {
    if (!(retentionDays >= 0)) throw new JournalError('JOURNAL_BAD_ARGUMENT', 'retentionDays must be >= 0');
    const cutoff = new Date(this.#clock.now() - retentionDays * DAY_MS).toISOString();
    return this.#db
      .transaction((): PurgeResult => {
        // a clock stepped backwards can make ts non-monotonic: stop at the first young event
        const young = this.#db.prepare('SELECT MIN(seq) AS seq FROM events WHERE ts >= ?').get(cutoff) as { seq: number | null };
        const upto = Math.min(this.deliveredSeq(), young.seq === null ? Infinity : young.seq - 1);
        const last = this.#db.prepare('SELECT seq, hash FROM events WHERE seq <= ? ORDER BY seq DESC LIMIT 1').get(upto) as
          | { seq: number; hash: string }
          | undefined;
        if (!last) return { purged: 0, anchorSeq: this.#anchor().seq, anchorHash: this.#anchor().hash };
        const purged = this.#db.prepare('DELETE FROM events WHERE seq <= ?').run(last.seq).changes;
        writeMeta(this.#db, 'anchor_seq', String(last.seq));
        writeMeta(this.#db, 'anchor_hash', last.hash);
        // a forged anchor (the oldest events deleted, the anchor set to match) then lacks this signature
        const cp = this.#checkpoint;
        if (cp) {
          const signed = signCheckpoint(cp.key, { v: 1, kind: 'anchor', gate: this.gate, seq: last.seq, hash: last.hash, ts: new Date(this.#clock.now()).toISOString() });
          writeMeta(this.#db, 'anchor_signed', Buffer.from(signed).toString('base64'));
        }
        return { purged, anchorSeq: last.seq, anchorHash: last.hash };
      })
      .immediate();
  }

  /** The underlying database, for verifyJournal on a live journal. */
  get db(): Db {
    return this.#db;
  }

  close(): void {
    this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#db.open) this.#db.close();
  }

  #anchor(): { seq: number; hash: string } {
    return { seq: Number(readMeta(this.#db, 'anchor_seq') ?? 0), hash: readMeta(this.#db, 'anchor_hash') ?? GENESIS_PREV };
  }
}
