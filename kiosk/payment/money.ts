import { PaymentError } from './errors.ts';

/**
 * Money is an integer number of cents everywhere in egate (never a float: 0.1 + 0.2 is not
 * 0.3). Text forms exist only at the edges: the QR's amount field and the screen.
 */
export type Cents = number;

/** Largest amount the kiosk ever charges (HK$ 99,999.99): a fee, not a transfer. */
export const MAX_CENTS = 9_999_999;

export function assertCents(amount: unknown, what = 'amount'): asserts amount is Cents {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_CENTS) {
    throw new PaymentError('PAYMENT_BAD_AMOUNT', `${what} must be an integer number of cents between 1 and ${MAX_CENTS}`);
  }
}

/** 12345 → "123.45" (always two decimals, "." as the mark, no grouping): EMVCo ID 54's form. */
export function centsToDecimal(amount: Cents): string {
  assertCents(amount);
  return `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
}

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/;

/** "123.45", "123.4", "123" → cents; anything else (sign, exponent, 3 decimals, "1.", ".5") → undefined. */
export function decimalToCents(text: string): Cents | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** "HK$123.45" for the screen and the receipt. */
export function formatHkd(amount: Cents): string {
  return `HK$${centsToDecimal(amount)}`;
}
