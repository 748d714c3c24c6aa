import { EgateError } from '../../core/errors.ts';

/**
 * A QR payload that is not a well-formed FPS merchant-presented code. Codes:
 * QR_EMPTY, QR_TOO_LONG, QR_CHARSET, QR_SYNTAX (TLV id/length/overrun), QR_DUPLICATE_ID,
 * QR_CRC_MISSING, QR_CRC_MISMATCH, QR_MISSING_FIELD, QR_BAD_FIELD, QR_NOT_FPS.
 * `field` names the EMVCo ID (e.g. "54", "26.02"); the message never echoes the payload.
 */
export class FpsQrError extends EgateError {
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(code, field ? `FPS QR field ${field}: ${message}` : `FPS QR: ${message}`);
    this.field = field;
  }
}

/**
 * A payment that cannot go on. Codes: PAYMENT_BAD_AMOUNT, PAYMENT_BAD_REFERENCE,
 * PAYMENT_ALREADY_PAID, PAYMENT_IN_PROGRESS, PAYMENT_UNKNOWN, PAYMENT_STORE_IO.
 */
export class PaymentError extends EgateError {}
