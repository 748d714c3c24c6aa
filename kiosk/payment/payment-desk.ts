import { createActor, type Actor } from 'xstate';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { errorCode } from '../../core/errors.ts';
import type { ChargeNotice, PaymentGateway } from '../../drivers/payment/gateway-interface.ts';
import type { Journal } from '../journal/journal.ts';
import { encodeFpsQr, type FpsQr } from './fps-qr.ts';
import { attemptState, paymentMachine } from './payment-machine.ts';
import { paymentScreen, type PaymentScreen } from './payment-screen.ts';
import { beginAttempt, recordState } from './payment-record.ts';
import { type Attempt, type AttemptState, type PaymentStore } from './payment-store.ts';
import type { Cents } from './money.ts';

/** The merchant half of every FPS code this kiosk shows. */
export type FpsMerchant = Pick<FpsQr, 'proxy' | 'mcc' | 'merchantName' | 'merchantCity'> & { participant?: string };

export interface PaymentDeskDeps {
  store: PaymentStore;
  gateway: PaymentGateway;
  journal: Pick<Journal, 'append'>;
  clock: Clock;
  merchant: FpsMerchant;
  /** How long the applicant has to pay once the code is shown. */
  budgetMs: number;
  /** Wait before asking the acquirer again after a failed request. */
  retryMs: number;
  /** Called after every durable step, e.g. "persisted", "opened" (tests kill the process there). */
  trace?: (step: string, attempt: Attempt) => void;
}

/** The end of one FPS payment as the applicant's screen shows it. */
export interface FpsOutcome {
  state: AttemptState;
  attempt: Attempt;
  screen: PaymentScreen;
}

const FINAL = new Set<AttemptState>(['paid', 'declined', 'timed_out', 'cancelled', 'refund_due']);

/**
 * The binding of the payment statechart to the store, the gateway and the journal. Every
 * change of an attempt's state is written to the store and journalled (and so synced)
 * before anything else happens. One desk per kiosk; notices for attempts no live session
 * holds (after a restart, after a cancel) are settled here: money that arrives for a
 * closed attempt, or twice for one application, becomes `refund_due`.
 */
export class PaymentDesk {
  readonly #d: PaymentDeskDeps;
  readonly #live = new Map<string, Actor<typeof paymentMachine>>();
  #off: (() => void) | undefined;

  constructor(deps: PaymentDeskDeps) {
    this.#d = deps;
  }

  async start(): Promise<void> {
    this.#off = this.#d.gateway.on('notice', (n) => this.#onNotice(n));
    await this.#d.gateway.start();
  }

  async stop(): Promise<void> {
    this.#off?.();
    for (const a of this.#live.values()) a.stop();
    this.#live.clear();
    await this.#d.gateway.stop();
  }

  /** The FPS payload for an attempt (the same code again after a retry or restart). */
  qrFor(attempt: Attempt): string {
    return encodeFpsQr({ dynamic: true, ...this.#d.merchant, currency: '344', amountCents: attempt.amountCents, billNumber: attempt.bill });
  }

  /**
   * Takes the fee for `application` by FPS: resumes its unfinished attempt (same key, same
   * code) or starts one. `onScreen` sees every screen (the QR payload with `show_qr`).
   * Resolves when the attempt is final. Throws PaymentError PAYMENT_ALREADY_PAID etc.
   */
  payByFps(application: string, amount: Cents, onScreen?: (s: PaymentScreen, qr: string) => void): Promise<FpsOutcome> {
    const { store, clock } = this.#d;
    let attempt: Attempt;
    try {
      attempt = beginAttempt(this.#d, application, 'fps', amount, clock.now()).attempt;
    } catch (err) {
      return Promise.reject(err);
    }
    this.#d.trace?.('persisted', attempt);
    const qr = this.qrFor(attempt);
    const actor = createActor(paymentMachine, {
      input: { budgetMs: this.#d.budgetMs, retryMs: this.#d.retryMs, resumeFrom: attempt.state },
      clock: { setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms), clearTimeout: (h: unknown) => clock.clearTimeout(h as TimerHandle) },
    });
    this.#live.set(attempt.key, actor);
    return new Promise<FpsOutcome>((resolve) => {
      let last: unknown;
      actor.subscribe((snap) => {
        if (snap.value === last) return;
        last = snap.value;
        const next = attemptState(snap.value);
        // a resumed open attempt asks the acquirer again: that is not a step back to `created`
        if (next !== attempt.state && !(next === 'created' && attempt.state === 'open')) attempt = this.#move(attempt, next, snap.context.acquirerRef, snap.context.lastError);
        onScreen?.(paymentScreen(attempt.state, 'fps', attempt.amountCents), qr);
        if (snap.value === 'cancelling') void this.#cancel(actor, attempt.key);
        if (typeof snap.value === 'object' && (snap.value as { live?: string }).live === 'opening') void this.#open(actor, attempt);
        if (snap.status === 'done') {
          this.#live.delete(attempt.key);
          resolve({ state: attempt.state, attempt, screen: paymentScreen(attempt.state, 'fps', attempt.amountCents) });
        }
      });
      actor.start();
    });
  }

  /**
   * After a restart: FPS attempts left unfinished for longer than the budget (the applicant
   * has gone) are cancelled at the acquirer, whose answer settles them (timed out, or paid if
   * the money came). Younger ones wait for the applicant to come back to the same code.
   * `olderThanMs` 0: a kiosk whose sessions never survive a restart (the photo kiosk) settles all.
   */
  async recover(olderThanMs = this.#d.budgetMs): Promise<FpsOutcome[]> {
    const { store, clock } = this.#d;
    const stale = store.unfinished().filter((a) => a.method === 'fps' && !this.#live.has(a.key) && clock.now() - a.createdMs >= olderThanMs);
    const out: FpsOutcome[] = [];
    for (const a of stale) {
      if (a.state !== 'cancelling') recordState(this.#d, a, 'cancelling', null, 'stale_after_restart');
      out.push(await this.payByFps(a.application, a.amountCents));
    }
    return out;
  }

  /** The applicant pressed cancel (or walked away): the acquirer is told, and its answer decides. */
  cancel(application: string): void {
    for (const a of this.#d.store.list(application)) this.#live.get(a.key)?.send({ type: 'CANCEL' });
  }

  async #open(actor: Actor<typeof paymentMachine>, attempt: Attempt): Promise<void> {
    try {
      const charge = await this.#d.gateway.openCharge({ key: attempt.key, amountCents: attempt.amountCents, billNumber: attempt.bill });
      this.#d.trace?.('opened', attempt);
      actor.send({ type: 'OPENED', state: charge.state, acquirerRef: charge.acquirerRef });
    } catch (err) {
      actor.send({ type: 'OPEN_FAILED', code: errorCode(err) });
    }
  }

  async #cancel(actor: Actor<typeof paymentMachine>, key: string): Promise<void> {
    try {
      const charge = await this.#d.gateway.cancel(key);
      actor.send({ type: 'CANCEL_ANSWER', state: charge.state, acquirerRef: charge.acquirerRef });
    } catch (err) {
      // never reached the acquirer: nothing can be paid on it
      if (errorCode(err) === 'GATEWAY_UNKNOWN_CHARGE') actor.send({ type: 'CANCEL_ANSWER', state: 'cancelled', acquirerRef: null });
      else actor.send({ type: 'CANCEL_FAILED', code: errorCode(err) });
    }
  }

  #onNotice(n: ChargeNotice): void {
    const attempt = this.#d.store.byKey(n.key);
    if (!attempt) return; // another kiosk's charge on a shared merchant account
    this.#d.trace?.(`notice_${n.state}`, attempt);
    const actor = this.#live.get(n.key);
    if (actor) {
      actor.send({ type: 'NOTICE', state: n.state, acquirerRef: n.acquirerRef });
      return;
    }
    if (n.state !== 'paid' || attempt.state === 'paid' || attempt.state === 'refund_due') return; // a duplicate, or nothing to settle
    // money for an attempt no session holds: unfinished after a restart → paid; closed → refund
    this.#move(attempt, FINAL.has(attempt.state) ? 'refund_due' : 'paid', n.acquirerRef, null);
  }

  #move(attempt: Attempt, to: AttemptState, acquirerRef: string | null, reason: string | null): Attempt {
    return recordState(this.#d, attempt, to, acquirerRef, reason);
  }
}
