import { createHash } from 'node:crypto';
import { EgateError } from '../errors.ts';

/**
 * The reason codes of tokens.md §4, in the order the checks run. The gate journals the
 * reason of a rejected token; nothing else from the token reaches the journal or the log.
 */
export const REASONS = [
  'MALFORMED',
  'UNSUPPORTED_VERSION',
  'KEY_UNKNOWN',
  'DECRYPT_FAILED',
  'ISSUER_UNTRUSTED',
  'BAD_SIGNATURE',
  'CREDENTIAL_EXPIRED',
  'PRESENTATION_EXPIRED',
  'REPLAY',
  'REVOKED',
  'NOT_ELIGIBLE',
  'NOT_ENROLLED',
] as const;

export type TokenReason = (typeof REASONS)[number];

/** Where the token came from: the QR scanner gives text, the card reader gives credential bytes. */
export type TokenChannel = 'qr' | 'card';

/**
 * A token that passed every check. `sub` is defined non-enumerable on the object the
 * verifier returns, so JSON.stringify, pino and console.log of the result leave it out;
 * the gate reads `result.sub` for the reference lookup and journals only a pseudonym.
 */
export interface TokenAccepted {
  ok: true;
  kind: 'mobile' | 'card';
  readonly sub: string;
  /** First 16 hex characters of SHA-256 over the credential id: enough to correlate, not to reissue. */
  ctiHash: string;
  services: string[];
  /** Credential expiry, seconds since the epoch. */
  exp: number;
  /** Issuer key id (text) that signed the credential. */
  kid: string;
  /** Fleet key id the QR was encrypted to (mobile only), to follow a key rotation. */
  fleetKid?: string;
  /** Chip-bound card reads only (non-enumerable): the chip key and the EF.PHOTO hash claim. */
  readonly cnf?: import('node:crypto').KeyObject | undefined;
  readonly photoHash?: Uint8Array | undefined;
}

export interface TokenRejected {
  ok: false;
  reason: TokenReason;
  /** A fixed description of the failed check; never contains bytes from the token. */
  detail?: string;
  /** First 16 hex characters of SHA-256 over the raw input, to correlate repeated attempts. */
  inputHash: string;
}

export type TokenResult = TokenAccepted | TokenRejected;

/** Thrown inside the verifier and by the parsers; the verifier turns it into a TokenRejected. */
export class TokenRejection extends EgateError {
  readonly reason: TokenReason;
  constructor(reason: TokenReason, detail: string) {
    super(reason, detail);
    this.reason = reason;
  }
}

export function reject(reason: TokenReason, detail: string): never {
  throw new TokenRejection(reason, detail);
}

/** Short hash of attacker-supplied bytes: the most of them that may appear in a log line. */
export function shortHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}
