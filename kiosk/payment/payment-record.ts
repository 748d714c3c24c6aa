import type { Clock } from '../../core/clock.ts';
import type { Journal } from '../journal/journal.ts';
import { UNFINISHED, type Attempt, type AttemptState, type PaymentStore } from './payment-store.ts';

export interface RecordDeps {
  store: PaymentStore;
  journal: Pick<Journal, 'append'>;
  clock: Clock;
  trace?: (step: string, attempt: Attempt) => void;
}

/** The journal's view of one attempt's state: no card data, no payer data, the key is random. */
export function journalAttempt(d: RecordDeps, a: Attempt, reason: string | null): void {
  d.journal.append('payment_state', {
    application: a.application,
    attempt: a.attempt,
    key: a.key,
    method: a.method,
    state: a.state,
    amount_cents: a.amountCents,
    currency: 'HKD',
    acquirer_ref: a.acquirerRef,
    reason,
  });
}

/**
 * Starts an application's attempt, or resumes its unfinished one, and journals `created` where
 * the journal may lack it: a new attempt, and a resumed one still `created` (the store is
 * written before the journal here, so a kill between the two left it unjournalled; an attempt
 * that moved on was journalled `created` before its next state). Returns whether it was new.
 */
export function beginAttempt(d: RecordDeps, application: string, method: Attempt['method'], amount: Attempt['amountCents'], nowMs: number): { attempt: Attempt; fresh: boolean } {
  const fresh = !d.store.list(application).some((a) => UNFINISHED.includes(a.state));
  const attempt = d.store.begin(application, method, amount, nowMs);
  d.trace?.('stored', attempt);
  if (fresh || attempt.state === 'created') journalAttempt(d, attempt, null);
  return { attempt, fresh };
}

/**
 * Journals, then persists, one state change of an attempt (FPS or Octopus). Money for an
 * application that another attempt already paid, or for an attempt already closed, is
 * `refund_due`. Journal first: a crash between the two leaves the store behind, the
 * attempt is resumed and its state journalled again — a state is never missing from the
 * journal (it may appear twice).
 */
export function recordState(d: RecordDeps, attempt: Attempt, to: AttemptState, acquirerRef: string | null, reason: string | null): Attempt {
  let state = to;
  const paidElsewhere = d.store.list(attempt.application).some((a) => a.state === 'paid' && a.key !== attempt.key);
  if (to === 'paid' && paidElsewhere) state = 'refund_due';
  const why = state === 'refund_due' ? (UNFINISHED.includes(attempt.state) ? 'second_payment' : 'paid_after_close') : reason;
  const next: Attempt = { ...attempt, state, acquirerRef: acquirerRef ?? attempt.acquirerRef, updatedMs: d.clock.now() };
  journalAttempt(d, next, why);
  d.trace?.(`journalled_${state}`, next);
  return d.store.set(attempt.key, state, next.updatedMs, acquirerRef);
}
