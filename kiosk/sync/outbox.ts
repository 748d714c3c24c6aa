import type { Clock, TimerHandle } from '../clock.ts';
import type { Journal } from '../journal/index.ts';
import type { Logger } from '../log.ts';
import { Backoff } from './backoff.ts';
import { SyncError } from './errors.ts';

export interface OutboxOptions {
  journal: Journal;
  /** Publishes one batch (QoS 1) and resolves on its PUBACK; rejects when it was not acknowledged. */
  publish: (payload: string) => Promise<void>;
  /** Whether a publish can be tried now (connected); the owner calls `kick()` when that becomes true. */
  isUp: () => boolean;
  clock: Clock;
  log: Logger;
  batchSize: number;
  backoff: { min: number; max: number };
  /** Journal file size (database + WAL) above which OUTBOX_FULL is raised; cleared below 90 % of it. */
  alarmBytes: number;
  onAlarm?: (raised: boolean) => void;
  random?: () => number;
}

export interface OutboxStats {
  inFlight: boolean;
  lastPublishedSeq: number;
  batches: number;
  events: number;
  failures: number;
  alarm: boolean;
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: TimerHandle | undefined;
}

/**
 * The journal is the outbox. Events leave it in seq order, as JSON arrays of consecutive
 * events, one batch in flight at a time; the delivered mark moves (durably) only after the
 * batch's PUBACK. A batch that was not acknowledged is sent again from the delivered mark,
 * so the stream is at-least-once and never reordered: a duplicate can only repeat a batch
 * whose PUBACK was lost (link drop, process killed). Consumers de-duplicate by (gate, seq).
 */
export class Outbox {
  readonly #o: OutboxOptions;
  readonly #backoff: Backoff;
  #running = false;
  #again = false;
  #stopped = false;
  #retry: TimerHandle | undefined;
  #waiters: Waiter[] = [];
  /** Events per batch; halved when the broker refuses a batch (e.g. its message size limit). */
  #limit: number;
  /** The batch that keeps failing while the link was up (its first seq) and how often in a row. */
  #failing = { seq: 0, times: 0 };
  #goodAtLimit = 0;
  readonly stats: OutboxStats = { inFlight: false, lastPublishedSeq: 0, batches: 0, events: 0, failures: 0, alarm: false };

  constructor(opts: OutboxOptions) {
    this.#o = opts;
    this.#backoff = new Backoff({ ...opts.backoff, ...(opts.random ? { random: opts.random } : {}) });
    this.#limit = opts.batchSize;
  }

  /** Current events per batch (config batchSize unless the broker refused larger batches). */
  get batchLimit(): number {
    return this.#limit;
  }

  /**
   * Something may be sendable (new event, poll): drains unless already draining or backing
   * off after a failure. `fresh` (a new connection) ends the back-off wait at once.
   */
  kick(fresh = false): void {
    if (this.#stopped) return;
    if (fresh) {
      this.#o.clock.clearTimeout(this.#retry);
      this.#retry = undefined;
    }
    if (this.#retry !== undefined) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#drain();
  }

  /**
   * Resolves once every event journalled before the call has been acknowledged by the
   * broker; waits through outages. Rejects with SYNC_FLUSH_TIMEOUT after `timeoutMs` (on the
   * injected clock) or SYNC_STOPPED when the outbox stops first.
   */
  flush(timeoutMs?: number): Promise<void> {
    const target = this.#o.journal.lastSeq();
    if (this.#o.journal.deliveredSeq() >= target) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new SyncError('SYNC_STOPPED', 'outbox stopped'));
    return new Promise((resolve, reject) => {
      const w: Waiter = { target, resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        w.timer = this.#o.clock.setTimeout(() => {
          this.#waiters = this.#waiters.filter((x) => x !== w);
          reject(new SyncError('SYNC_FLUSH_TIMEOUT', `outbox not drained to seq ${target} within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.#waiters.push(w);
      this.kick();
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#o.clock.clearTimeout(this.#retry);
    for (const w of this.#waiters) {
      this.#o.clock.clearTimeout(w.timer);
      w.reject(new SyncError('SYNC_STOPPED', 'outbox stopped'));
    }
    this.#waiters = [];
  }

  /** Raises or clears OUTBOX_FULL from the journal's size on disk (called by the poll and after each drain). */
  checkAlarm(): void {
    const j = this.#o.journal;
    let bytes: number;
    try {
      bytes = j.diskUsage();
    } catch {
      return;
    }
    const s = this.stats;
    const raise = !s.alarm && bytes > this.#o.alarmBytes;
    const clear = s.alarm && bytes <= this.#o.alarmBytes * 0.9;
    if (!raise && !clear) return;
    s.alarm = raise;
    try {
      const data = { alarm: 'OUTBOX_FULL', bytes, limit: this.#o.alarmBytes, unsent: j.undeliveredCount() };
      j.append(raise ? 'alarm_raised' : 'alarm_cleared', data);
    } catch (err) {
      this.#o.log.error({ err: (err as Error).message }, 'cannot journal the outbox alarm');
    }
    this.#o.log.warn({ bytes, limit: this.#o.alarmBytes, raised: raise }, 'outbox alarm');
    this.#o.onAlarm?.(raise);
    this.kick();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      do {
        this.#again = false;
        while (!this.#stopped && this.#o.isUp()) {
          const sent = await this.#sendOne();
          if (sent === 'empty' || sent === 'failed') break;
        }
      } while (this.#again && !this.#stopped && this.#o.isUp() && this.#retry === undefined);
    } finally {
      this.#running = false;
      this.stats.inFlight = false;
    }
  }

  async #sendOne(): Promise<'sent' | 'empty' | 'failed'> {
    const j = this.#o.journal;
    let batch;
    try {
      batch = j.readAfter(j.deliveredSeq(), this.#limit);
    } catch (err) {
      this.#o.log.error({ err: (err as Error).message }, 'outbox cannot read the journal');
      this.#retryLater();
      return 'failed';
    }
    const last = batch.at(-1);
    if (!last) return 'empty';
    this.stats.inFlight = true;
    try {
      await this.#o.publish(JSON.stringify(batch));
    } catch (err) {
      this.stats.inFlight = false;
      this.stats.failures++;
      this.#failing = this.#failing.seq === batch[0]!.seq ? { seq: this.#failing.seq, times: this.#failing.times + 1 } : { seq: batch[0]!.seq, times: 1 };
      const refused = (err as { code?: string }).code === 'SYNC_PUBLISH_REFUSED';
      if ((refused || this.#failing.times >= 2) && batch.length > 1) {
        // A broker that refuses a message (size limit, quota), or drops the link each time it
        // gets it, would do so to the same batch forever: halve it. An outage does not count:
        // a batch is only tried again on a new connection.
        this.#limit = Math.max(1, Math.ceil(batch.length / 2));
        this.#goodAtLimit = 0;
        this.#o.log.warn({ limit: this.#limit }, 'batch refused or link dropped on it twice: smaller batches');
      }
      this.#o.log.warn({ code: (err as { code?: string }).code, from: batch[0]?.seq, to: last.seq }, 'batch not acknowledged; will resend');
      this.#retryLater();
      return 'failed';
    }
    this.stats.inFlight = false;
    try {
      j.markDelivered(last.seq);
    } catch (err) {
      this.#o.log.error({ err: (err as Error).message }, 'cannot persist the delivered mark');
      this.#retryLater();
      return 'failed';
    }
    this.#backoff.reset();
    this.#failing = { seq: 0, times: 0 };
    if (this.#limit < this.#o.batchSize && ++this.#goodAtLimit >= 100) {
      this.#limit = Math.min(this.#o.batchSize, this.#limit * 2); // try larger batches again now and then
      this.#goodAtLimit = 0;
    }
    this.stats.lastPublishedSeq = last.seq;
    this.stats.batches++;
    this.stats.events += batch.length;
    this.#settleWaiters(last.seq);
    return 'sent';
  }

  #retryLater(): void {
    if (this.#stopped || this.#retry !== undefined) return;
    this.#retry = this.#o.clock.setTimeout(() => {
      this.#retry = undefined;
      this.kick();
    }, this.#backoff.next());
  }

  #settleWaiters(delivered: number): void {
    if (this.#waiters.length === 0) return;
    const done = this.#waiters.filter((w) => w.target <= delivered);
    this.#waiters = this.#waiters.filter((w) => w.target > delivered);
    for (const w of done) {
      this.#o.clock.clearTimeout(w.timer);
      w.resolve();
    }
  }
}
