import type { Clock } from '../../core/clock.ts';
import { GatewayError, type Charge, type ChargeNotice, type ChargeRequest } from './gateway-interface.ts';

/**
 * What the simulated payer does once a charge is open: `pay`; `decline` (their bank
 * refuses); `silent` (never pays: the kiosk's timeout); `duplicate` (pays, and the acquirer
 * sends the notice twice); `late` (the payer's transfer lands only after the kiosk
 * cancelled: money taken, to be refunded); `manual` (the test calls pay()/decline()).
 */
export type PayerBehaviour = 'pay' | 'decline' | 'silent' | 'duplicate' | 'late' | 'manual';

interface Row {
  req: ChargeRequest;
  state: Charge['state'];
  acquirerRef: string | null;
  /** A `late` payer whose transfer is already on its way when the kiosk cancels. */
  lateTransfer: boolean;
}

const SIM = 'acquirer-sim';

/**
 * The acquirer as a plant model, shared by the in-process twin and the HTTP peer (both
 * drivers talk to the same model, as the door twin and the RTU slave share the plant). It
 * keeps the books that prove the money rules: debits per idempotency key and per bill.
 */
export class SimulatedAcquirer {
  readonly #rows = new Map<string, Row>();
  readonly #notices: ChargeNotice[] = [];
  readonly #listeners = new Set<(n: ChargeNotice) => void>();
  readonly #clock: Clock;
  readonly #debitsByKey = new Map<string, number>();
  readonly #debitsByBill = new Map<string, number>();
  #nextRef = 1;
  /** Decides the payer for each newly opened charge; default: the test drives it. */
  payer: (req: ChargeRequest) => PayerBehaviour = () => 'manual';
  /** How long the payer takes to scan and confirm, in clock ms. */
  payerDelayMs = 1_000;
  /** Number of openCharge requests that created a charge (a repeat creates none). */
  opened = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  open(req: ChargeRequest): Charge {
    const row = this.#rows.get(req.key);
    if (row) {
      if (row.req.amountCents !== req.amountCents || row.req.billNumber !== req.billNumber) {
        throw new GatewayError(SIM, 'GATEWAY_CONFLICT', 'key already used for another amount or bill');
      }
      return this.#view(row);
    }
    const fresh: Row = { req: { ...req }, state: 'open', acquirerRef: null, lateTransfer: false };
    this.#rows.set(req.key, fresh);
    this.opened++;
    const behaviour = this.payer(req);
    if (behaviour === 'late') fresh.lateTransfer = true;
    else if (behaviour !== 'manual' && behaviour !== 'silent') {
      this.#clock.setTimeout(() => {
        if (behaviour === 'decline') this.decline(req.key);
        else if (this.pay(req.key) && behaviour === 'duplicate') this.repeatLastNotice(req.key);
      }, this.payerDelayMs);
    }
    return this.#view(fresh);
  }

  cancel(key: string): Charge {
    const row = this.#get(key);
    if (row.state === 'open') {
      row.state = 'cancelled';
      // the payer's bank had already sent it: it lands after the cancel
      if (row.lateTransfer) this.#clock.setTimeout(() => this.#debit(row), this.payerDelayMs);
    }
    return this.#view(row);
  }

  charge(key: string): Charge {
    return this.#view(this.#get(key));
  }

  /** The payer confirms in their banking app. False when the charge takes no payment (paid, cancelled, declined). */
  pay(key: string): boolean {
    const row = this.#get(key);
    if (row.state !== 'open') return false;
    this.#debit(row);
    return true;
  }

  decline(key: string): void {
    const row = this.#get(key);
    if (row.state !== 'open') return;
    row.state = 'declined';
    this.#notify(row, 'declined');
  }

  /** The acquirer's at-least-once delivery sends the last notice for `key` again. */
  repeatLastNotice(key: string): void {
    const last = [...this.#notices].reverse().find((n) => n.key === key);
    if (last) this.#publish(last);
  }

  /** Money taken from payers for this key (never more than 1 if the rules hold). */
  debits(key: string): number {
    return this.#debitsByKey.get(key) ?? 0;
  }

  /** Money taken for this bill across all keys: a kiosk that made a new key per retry shows 2 here. */
  debitsForBill(billNumber: string): number {
    return this.#debitsByBill.get(billNumber) ?? 0;
  }

  /** Notices after the `after`-th (0-based count), for a polling client. */
  noticesAfter(after: number, limit = 100): { notices: ChargeNotice[]; next: number } {
    const notices = this.#notices.slice(after, after + limit);
    return { notices, next: after + notices.length };
  }

  onNotice(fn: (n: ChargeNotice) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #debit(row: Row): void {
    row.state = 'paid';
    row.acquirerRef = `FPS${String(this.#nextRef++).padStart(8, '0')}`;
    this.#debitsByKey.set(row.req.key, this.debits(row.req.key) + 1);
    this.#debitsByBill.set(row.req.billNumber, this.debitsForBill(row.req.billNumber) + 1);
    this.#notify(row, 'paid');
  }

  #notify(row: Row, state: 'paid' | 'declined'): void {
    const notice: ChargeNotice = { noticeId: `N${this.#notices.length + 1}`, key: row.req.key, state, amountCents: row.req.amountCents, acquirerRef: row.acquirerRef };
    this.#publish(notice);
  }

  #publish(notice: ChargeNotice): void {
    this.#notices.push(notice);
    for (const fn of this.#listeners) fn(notice);
  }

  #get(key: string): Row {
    const row = this.#rows.get(key);
    if (!row) throw new GatewayError(SIM, 'GATEWAY_UNKNOWN_CHARGE', 'no charge with that key');
    return row;
  }

  #view(row: Row): Charge {
    return { key: row.req.key, amountCents: row.req.amountCents, billNumber: row.req.billNumber, state: row.state, acquirerRef: row.acquirerRef };
  }
}
