import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PaymentError } from './errors.ts';
import { assertCents, type Cents } from './money.ts';

export type PaymentMethod = 'fps' | 'octopus';

/**
 * An attempt's states. Unfinished: `created` (key on disk, request maybe not sent),
 * `open` (the acquirer or reader has it), `cancelling` (asked to stop; answer pending).
 * Final: `paid`, `declined`, `timed_out` (no payment within the budget; not charged),
 * `cancelled` (by the applicant, or never reached the acquirer), `refund_due` (money came
 * after the attempt was closed, or twice for one application: journalled for refund).
 */
export type AttemptState = 'created' | 'open' | 'cancelling' | 'paid' | 'declined' | 'timed_out' | 'cancelled' | 'refund_due';
export const UNFINISHED: readonly AttemptState[] = ['created', 'open', 'cancelling'];

export interface Attempt {
  application: string;
  attempt: number;
  /** The idempotency key: random, on disk before any request carries it. */
  key: string;
  /** FPS QR 62.01 and the acquirer's match: `<application>-<attempt>`. */
  bill: string;
  method: PaymentMethod;
  amountCents: Cents;
  state: AttemptState;
  acquirerRef: string | null;
  createdMs: number;
  updatedMs: number;
}

const APPLICATION = /^[A-Z0-9]{4,20}$/;

interface Row {
  application: string; attempt: number; key: string; bill: string; method: PaymentMethod; amount_cents: number;
  state: AttemptState; acquirer_ref: string | null; created_ms: number; updated_ms: number;
}
const toAttempt = (r: Row): Attempt => ({
  application: r.application, attempt: r.attempt, key: r.key, bill: r.bill, method: r.method, amountCents: r.amount_cents,
  state: r.state, acquirerRef: r.acquirer_ref, createdMs: r.created_ms, updatedMs: r.updated_ms,
});

/**
 * The payments' own durable record (SQLite, WAL, synchronous=FULL): which attempt an
 * application is on and its key, so that whatever retries or restarts happen, a request
 * to the acquirer only ever carries a key that was committed first, and an application
 * has at most one unfinished attempt and no new attempt once paid.
 */
export class PaymentStore {
  readonly #db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS attempts (
      application TEXT NOT NULL, attempt INTEGER NOT NULL, key TEXT NOT NULL UNIQUE, bill TEXT NOT NULL UNIQUE,
      method TEXT NOT NULL, amount_cents INTEGER NOT NULL, state TEXT NOT NULL, acquirer_ref TEXT,
      created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, PRIMARY KEY (application, attempt))`);
  }

  close(): void {
    this.#db.close();
  }

  /**
   * The attempt to pay `application` with: its unfinished one if there is one (same key:
   * a retry or a restart), else a new one with a new key, committed before returning.
   * PAYMENT_ALREADY_PAID when an attempt was paid; PAYMENT_IN_PROGRESS when the unfinished
   * one uses another method or amount.
   */
  begin(application: string, method: PaymentMethod, amountCents: Cents, nowMs: number): Attempt {
    if (!APPLICATION.test(application)) throw new PaymentError('PAYMENT_BAD_REFERENCE', 'application reference is 4–20 upper-case letters and digits');
    assertCents(amountCents);
    return this.#db
      .transaction((): Attempt => {
        const rows = this.list(application);
        if (rows.some((r) => r.state === 'paid')) throw new PaymentError('PAYMENT_ALREADY_PAID', 'this application is paid');
        const open = rows.find((r) => UNFINISHED.includes(r.state));
        if (open) {
          if (open.method !== method || open.amountCents !== amountCents) throw new PaymentError('PAYMENT_IN_PROGRESS', `an unfinished ${open.method} payment must end first`);
          return open;
        }
        const attempt = rows.length + 1;
        const key = `pk_${randomBytes(16).toString('hex')}`;
        this.#db
          .prepare('INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)')
          .run(application, attempt, key, `${application}-${attempt}`, method, amountCents, 'created', nowMs, nowMs);
        return this.byKey(key)!;
      })
      .immediate();
  }

  /** Moves an attempt to `state` (the desk decides which moves are legal) and returns it. */
  set(key: string, state: AttemptState, nowMs: number, acquirerRef?: string | null): Attempt {
    const info = this.#db
      .prepare('UPDATE attempts SET state = ?, updated_ms = ?, acquirer_ref = COALESCE(?, acquirer_ref) WHERE key = ?')
      .run(state, nowMs, acquirerRef ?? null, key);
    if (info.changes !== 1) throw new PaymentError('PAYMENT_UNKNOWN', 'no attempt with that key');
    return this.byKey(key)!;
  }

  byKey(key: string): Attempt | undefined {
    const r = this.#db.prepare('SELECT * FROM attempts WHERE key = ?').get(key) as Row | undefined;
    return r && toAttempt(r);
  }

  list(application: string): Attempt[] {
    return (this.#db.prepare('SELECT * FROM attempts WHERE application = ? ORDER BY attempt').all(application) as Row[]).map(toAttempt);
  }

  unfinished(): Attempt[] {
    return (this.#db.prepare(`SELECT * FROM attempts WHERE state IN ('created', 'open', 'cancelling') ORDER BY created_ms`).all() as Row[]).map(toAttempt);
  }

  isPaid(application: string): boolean {
    return this.list(application).some((a) => a.state === 'paid');
  }
}
