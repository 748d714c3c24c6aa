import { DeviceError } from '../../core/errors.ts';

/** One fee taken from a stored-value card (Octopus). */
export interface CardDebitRequest {
  /** The kiosk's idempotency key for the attempt, on disk before the debit starts. */
  readonly key: string;
  readonly amountCents: number;
}

export type CardDebitResult =
  | { readonly outcome: 'paid'; readonly receiptRef: string; readonly remainingCents: number | null }
  | { readonly outcome: 'declined'; readonly reason: 'insufficient_value' | 'card_blocked' | 'card_invalid' }
  /** No card within the wait, or the wait was aborted. Nothing was taken. */
  | { readonly outcome: 'no_card' }
  /**
   * The card left the field during the write: the reader cannot tell whether the value was
   * taken. Debit again with the SAME key (the applicant presents the same card): the
   * reader completes it or reports the earlier debit — never a second one.
   */
  | { readonly outcome: 'interrupted' };

/** Codes: CARD_READER_STOPPED, CARD_READER_BUSY (a debit is already waiting), CARD_READER_FAULT. */
export class CardReaderError extends DeviceError {}

/**
 * A contactless stored-value payment reader (Octopus). The real reader's protocol and
 * its security module are licensed by Octopus Cards Limited to approved integrators, so
 * egate has only this interface and the twin (docs/decisions.md). Behaviour:
 * - `debit` waits up to `waitMs` for a card, then debits it; one debit at a time
 *   (a second call while one waits rejects CARD_READER_BUSY).
 * - Idempotent by key: a key that was debited is never debited again; asking again
 *   returns the first receipt.
 * - `abort` ends a waiting debit with `no_card` (nothing is taken once it resolves so).
 * - `lookup` says whether a key was debited (a kiosk restarted mid-payment asks it).
 */
export interface CardPaymentReader {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  debit(req: CardDebitRequest, waitMs: number): Promise<CardDebitResult>;
  abort(): void;
  lookup(key: string): Promise<{ outcome: 'paid'; receiptRef: string } | { outcome: 'none' }>;
}
