import type { CardPaymentReader } from '../../drivers/payment/card-payment-interface.ts';
import type { Cents } from '../payment/money.ts';
import { payByOctopus } from '../payment/octopus-payment.ts';
import type { PaymentDesk } from '../payment/payment-desk.ts';
import { recordState, type RecordDeps } from '../payment/payment-record.ts';
import type { PaymentScreen } from '../payment/payment-screen.ts';
import type { AttemptState } from '../payment/payment-store.ts';

/** How the photo kiosk takes its fee: the two contactless methods behind one call. */
export interface PhotoPayments {
  /** Resolves with the final state of the application's attempt; `onScreen` sees each payment screen (with the FPS payload while the code is shown). */
  pay(method: 'fps' | 'octopus', application: string, amount: Cents, onScreen: (s: PaymentScreen, qr: string | null) => void): Promise<{ state: AttemptState; ref: string | null }>;
  /** The applicant pressed cancel: the acquirer (or the reader) is told; the payment's end still decides. */
  cancel(method: 'fps' | 'octopus', application: string): void;
}

/** FPS through the payment desk (store, acquirer gateway, journal); Octopus through the reader with the same store and journal. */
export function photoPayments(desk: PaymentDesk, octopus: RecordDeps & { reader: CardPaymentReader; budgetMs: number }): PhotoPayments {
  return {
    async pay(method, application, amount, onScreen) {
      if (method === 'fps') {
        const o = await desk.payByFps(application, amount, (s, qr) => onScreen(s, s.screen === 'show_qr' ? qr : null));
        return { state: o.state, ref: o.attempt.acquirerRef };
      }
      const o = await payByOctopus(octopus, application, amount, (s) => onScreen(s, null));
      return { state: o.state, ref: o.attempt.acquirerRef };
    },
    cancel(method, application) {
      if (method === 'fps') desk.cancel(application);
      else octopus.reader.abort();
    },
  };
}

/**
 * After a restart no applicant is at the kiosk, so an Octopus attempt left unfinished is
 * settled at once by asking the reader whether its key was debited: paid, or timed out (not
 * charged). Every state journalled (kiosk/payment recordState).
 */
export async function settleOctopusAfterRestart(d: RecordDeps & { reader: CardPaymentReader }): Promise<void> {
  for (const a of d.store.unfinished().filter((x) => x.method === 'octopus')) {
    const r = await d.reader.lookup(a.key).catch(() => ({ outcome: 'none' as const }));
    if (r.outcome === 'paid') recordState(d, a, 'paid', r.receiptRef, 'found_after_restart');
    else recordState(d, a, 'timed_out', null, 'restart');
  }
}
