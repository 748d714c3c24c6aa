import { createHash } from 'node:crypto';
import { EgateError } from '../errors.ts';

/**
 * The layers of an e-Visa seal check, in the order they run (docs/evisa.md). A layer runs
 * only when every layer before it passed: nothing in a seal is believed before its check.
 */
export const LAYERS = ['qr', 'structure', 'header', 'certificate', 'signature', 'data'] as const;
export type VisaLayer = (typeof LAYERS)[number];

/** Every reason a seal is refused, with the layer that gives it (docs/evisa.md §4). */
export const VISA_REASONS = {
  QR_UNREADABLE: 'qr',
  SEAL_TOO_LARGE: 'structure',
  SEAL_NOT_JSON: 'structure',
  SEAL_SCHEMA: 'structure',
  HEADER_TYPE: 'header',
  HEADER_VERSION: 'header',
  HEADER_ISSUER_UNKNOWN: 'header',
  CERT_MALFORMED: 'certificate',
  CERT_UNTRUSTED: 'certificate',
  CERT_NOT_VALID_NOW: 'certificate',
  CERT_KEY_USAGE: 'certificate',
  CERT_COUNTRY_MISMATCH: 'certificate',
  ALG_UNSUPPORTED: 'signature',
  BAD_SIGNATURE: 'signature',
  VISA_NOT_YET_VALID: 'data',
  VISA_EXPIRED: 'data',
  VISA_REVOKED: 'data',
  HOLDER_MISMATCH: 'data',
} as const satisfies Record<string, VisaLayer>;

export type VisaReason = keyof typeof VISA_REASONS;

/** Thrown inside the checks; the verifier turns it into a refusal and never lets it escape. */
export class VisaRejection extends EgateError {
  readonly reason: VisaReason;
  constructor(reason: VisaReason, detail: string) {
    super(reason, detail);
    this.reason = reason;
  }
}

export function refuse(reason: VisaReason, detail: string): never {
  throw new VisaRejection(reason, detail);
}

/** First 16 hex characters of SHA-256: how attacker-supplied bytes may appear in a log line. */
export function shortHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}
