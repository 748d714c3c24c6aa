import type { CardPaymentReader } from '../../drivers/payment/card-payment-interface.ts';
import { errorCode } from '../../core/errors.ts';
import type { Cents } from './money.ts';
import { beginAttempt, recordState, type RecordDeps } from './payment-record.ts';
import { paymentScreen, type PaymentScreen } from './payment-screen.ts';
import { UNFINISHED, type Attempt, type AttemptState } from './payment-store.ts';

export interface OctopusDeps extends RecordDeps {
  reader: CardPaymentReader;
  /** How long the applicant has to present a card (and to present it again after a torn write). */
  budgetMs: number;
}

export interface OctopusOutcome {
  state: AttemptState;
  attempt: Attempt;
  screen: PaymentScreen;
}

/**
 * Takes the fee by Octopus. The attempt's key is on disk before the first debit; a torn
 * write (`interrupted`) is retried with the same key while the budget lasts (the reader
 * completes it or reports the first debit); when the budget ends, or after a restart,
 * `lookup` decides whether the card was debited. Every state is journalled, then stored.
 */
export async function payByOctopus(d: OctopusDeps, application: string, amount: Cents, onScreen?: (s: PaymentScreen) => void): Promise<OctopusOutcome> {
  const begun = beginAttempt(d, application, 'octopus', amount, d.clock.now());
  const fresh = begun.fresh;
  let attempt = begun.attempt;
  d.trace?.('persisted', attempt);
  const show = (): void => onScreen?.(paymentScreen(attempt.state, 'octopus', amount));
  const to = (state: AttemptState, ref: string | null, reason: string | null): void => {
    if (state !== attempt.state) attempt = recordState(d, attempt, state, ref, reason);
    show();
  };
  // a restarted kiosk first asks whether the card was already debited under this key
  if (!fresh) {
    const earlier = await d.reader.lookup(attempt.key);
    if (earlier.outcome === 'paid') to('paid', earlier.receiptRef, 'found_after_restart');
  }
  const ends = d.clock.monotonic() + d.budgetMs;
  let reason: string | null = null;
  while (UNFINISHED.includes(attempt.state)) {
    const left = ends - d.clock.monotonic();
    if (left <= 0) break;
    to('open', null, reason);
    let r;
    try {
      r = await d.reader.debit({ key: attempt.key, amountCents: amount }, left);
    } catch (err) {
      reason = errorCode(err);
      break;
    }
    if (r.outcome === 'paid') to('paid', r.receiptRef, null);
    else if (r.outcome === 'declined') to('declined', null, r.reason);
    else if (r.outcome === 'no_card') break;
    else reason = 'interrupted';
  }
  if (UNFINISHED.includes(attempt.state)) {
    const last = await d.reader.lookup(attempt.key).catch(() => ({ outcome: 'none' as const }));
    if (last.outcome === 'paid') to('paid', last.receiptRef, reason);
    else to('timed_out', null, reason ?? 'no_card');
  }
  return { state: attempt.state, attempt, screen: paymentScreen(attempt.state, 'octopus', amount) };
}
