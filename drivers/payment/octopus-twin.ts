import type { Clock, TimerHandle } from '../../core/clock.ts';
import { CardReaderError, type CardDebitRequest, type CardDebitResult, type CardPaymentReader } from './card-payment-interface.ts';

/** A simulated card in the field. `id` is the twin's own label, never a real card number. */
export interface SimCard {
  id: string;
  balanceCents: number;
  blocked?: boolean;
}

interface Waiting {
  req: CardDebitRequest;
  resolve: (r: CardDebitResult) => void;
  timer: TimerHandle;
}

/**
 * The Octopus reader twin: cards are presented and removed by the test or the simulator;
 * a debit waits on the Clock; `tearNextWrite(afterWrite)` makes the next debit end
 * `interrupted`, with the value already taken (afterWrite) or not. It keeps the books the
 * money rules are proved on: debits per idempotency key.
 */
export class SimulatedOctopusReader implements CardPaymentReader {
  readonly name: string;
  readonly #clock: Clock;
  readonly #receipts = new Map<string, string>();
  readonly #debits = new Map<string, number>();
  #card: SimCard | undefined;
  #waiting: Waiting | undefined;
  #tear: 'before' | 'after' | undefined;
  #running = false;
  #next = 1;
  /** Time from the card entering the field to the debit's answer. */
  readonly transactionMs: number;

  constructor(deps: { clock: Clock; name?: string; transactionMs?: number }) {
    this.#clock = deps.clock;
    this.name = deps.name ?? 'sim-octopus';
    this.transactionMs = deps.transactionMs ?? 300;
  }

  async start(): Promise<void> {
    this.#running = true;
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.abort();
  }

  debit(req: CardDebitRequest, waitMs: number): Promise<CardDebitResult> {
    if (!this.#running) return Promise.reject(new CardReaderError(this.name, 'CARD_READER_STOPPED', 'reader is not running'));
    if (this.#waiting) return Promise.reject(new CardReaderError(this.name, 'CARD_READER_BUSY', 'a debit is already waiting'));
    const earlier = this.#receipts.get(req.key);
    if (earlier) return Promise.resolve({ outcome: 'paid', receiptRef: earlier, remainingCents: null });
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => this.#finish({ outcome: 'no_card' }), waitMs);
      this.#waiting = { req, resolve, timer };
      if (this.#card) this.#transact();
    });
  }

  abort(): void {
    this.#finish({ outcome: 'no_card' });
  }

  async lookup(key: string): Promise<{ outcome: 'paid'; receiptRef: string } | { outcome: 'none' }> {
    const receiptRef = this.#receipts.get(key);
    return receiptRef ? { outcome: 'paid', receiptRef } : { outcome: 'none' };
  }

  /** Test control: a card enters the field. */
  present(card: SimCard): void {
    this.#card = card;
    if (this.#waiting) this.#transact();
  }

  /** Test control: the card leaves the field. */
  remove(): void {
    this.#card = undefined;
  }

  /** Test control: the card is pulled away during the next write, before or after the value is taken. */
  tearNextWrite(when: 'before' | 'after'): void {
    this.#tear = when;
  }

  /** Value taken for this key (never more than 1 if the rules hold). */
  debits(key: string): number {
    return this.#debits.get(key) ?? 0;
  }

  #transact(): void {
    const w = this.#waiting;
    const card = this.#card;
    if (!w || !card) return;
    this.#clock.clearTimeout(w.timer);
    w.timer = this.#clock.setTimeout(() => {
      if (this.#waiting !== w) return;
      if (card.blocked) return this.#finish({ outcome: 'declined', reason: 'card_blocked' });
      if (card.balanceCents < w.req.amountCents) return this.#finish({ outcome: 'declined', reason: 'insufficient_value' });
      const tear = this.#tear;
      this.#tear = undefined;
      if (tear !== 'before') {
        card.balanceCents -= w.req.amountCents;
        const receiptRef = `OCT${String(this.#next++).padStart(8, '0')}`;
        this.#receipts.set(w.req.key, receiptRef);
        this.#debits.set(w.req.key, this.debits(w.req.key) + 1);
        if (!tear) return this.#finish({ outcome: 'paid', receiptRef, remainingCents: card.balanceCents });
      }
      this.#card = undefined;
      this.#finish({ outcome: 'interrupted' });
    }, this.transactionMs);
  }

  #finish(r: CardDebitResult): void {
    const w = this.#waiting;
    if (!w) return;
    this.#waiting = undefined;
    this.#clock.clearTimeout(w.timer);
    w.resolve(r);
  }
}
