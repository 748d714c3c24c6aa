import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { parseClaims, parsePresentationPayload, type PresentationPayload } from './claims.ts';
import { decryptWithFleetKey, parseEncrypted } from './cose-encrypt.ts';
import { parseSign1, verifySign1, type Sign1 } from './cose-sign1.ts';
import type { FleetKeys } from './fleet-keys.ts';
import { readQrPrefix, unpackQrBody } from './qr-text.ts';
import { reject, shortHash, TokenRejection, type TokenAccepted, type TokenChannel, type TokenReason, type TokenResult } from './reasons.ts';
import type { ReplayCache } from './replay-cache.ts';
import type { RevocationList } from './revocation-list.ts';
import type { TrustList } from './trust-list.ts';

export interface VerifierDeps {
  clock: Clock;
  fleetKeys: FleetKeys;
  trustList: TrustList;
  revocations: RevocationList;
  replayCache: ReplayCache;
  /** The service this gate checks in `services` (config `service`: ECH or VEH). */
  service: string;
  /** Supplied by the enrolment store: does `sub` have an enrolled reference face? */
  hasReference: (sub: string) => boolean | Promise<boolean>;
  /** Allowed clock skew on the credential `exp`, seconds (default 60). */
  clockSkewS?: number;
  /** Presentation `iat` must lie within ± this many seconds of the gate clock (default 30). */
  presentationWindowS?: number;
  /** Inputs longer than this (bytes) are MALFORMED before any decoding (default 4096). */
  maxInputBytes?: number;
  log?: Logger;
}

/** What the QR layers yield before the credential is looked at: nothing here is trusted yet. */
interface Unwrapped {
  presentation: Sign1;
  payload: PresentationPayload;
  fleetKid: string;
}

/**
 * Runs the checks of tokens.md §4 in the order of its table and returns the first failing
 * row's reason. Each layer's structure is checked when that layer becomes visible (the
 * presentation only after decryption, the claims only after the issuer signature), and a
 * value is used for a decision only after the signature covering it has been checked.
 * Never throws: an unexpected error fails closed with the reason of the row being checked.
 */
export class TokenVerifier {
  readonly #d: VerifierDeps;
  readonly #log: Logger;

  constructor(deps: VerifierDeps) {
    this.#d = deps;
    this.#log = deps.log ?? silentLogger();
  }

  /**
   * `opts.chipBound`: the card credential comes from a smart-ID chip (smart-id.md) whose
   * `cnf` names the chip key; the caller proves the chip afterwards (kiosk/card). The
   * accepted result then carries `cnf` and `photoHash`, non-enumerable like `sub`.
   */
  async verify(input: string | Uint8Array, channel: TokenChannel, opts: { chipBound?: boolean } = {}): Promise<TokenResult> {
    const row: { at: TokenReason } = { at: 'MALFORMED' };
    let inputHash = '';
    try {
      inputHash = shortHash(typeof input === 'string' ? input : input instanceof Uint8Array ? input : '');
      return await this.#check(input, channel, row, opts.chipBound === true);
    } catch (err) {
      const known = err instanceof TokenRejection;
      const reason = known ? err.reason : row.at;
      const detail = known ? err.message : `internal error while checking ${row.at}`;
      if (!known) this.#log.warn({ check: row.at, inputHash, error: err instanceof Error ? err.name : 'unknown' }, 'token check failed unexpectedly');
      this.#log.debug({ reason, inputHash, channel }, 'token rejected');
      return { ok: false, reason, detail, inputHash };
    }
  }

  async #check(input: string | Uint8Array, channel: TokenChannel, row: { at: TokenReason }, chipBound: boolean): Promise<TokenResult> {
    const d = this.#d;
    if (typeof input !== 'string' && !(input instanceof Uint8Array)) reject('MALFORMED', 'input must be text or bytes');
    const maxBytes = d.maxInputBytes ?? 4096;
    const size = typeof input === 'string' ? (input.length > maxBytes ? Infinity : Buffer.byteLength(input)) : input.length;
    if (size > maxBytes) reject('MALFORMED', 'input over the size limit');
    if (channel !== 'qr' && channel !== 'card') reject('MALFORMED', 'unknown channel');

    let mobile: Unwrapped | undefined;
    let credentialBytes: Uint8Array;
    if (channel === 'qr') {
      mobile = this.#unwrapQr(input, row);
      credentialBytes = mobile.payload.credential;
    } else {
      if (!(input instanceof Uint8Array)) reject('MALFORMED', 'card reader input must be bytes');
      credentialBytes = input;
    }
    row.at = 'MALFORMED';
    const credential = parseSign1(credentialBytes, 'credential', true);

    const now = d.clock.now();
    row.at = 'ISSUER_UNTRUSTED';
    const issuer = d.trustList.lookup(credential.kid as Uint8Array, now);
    if (!issuer) reject('ISSUER_UNTRUSTED', 'issuer key not in the trust list, out of its dates or withdrawn');

    row.at = 'BAD_SIGNATURE';
    if (!verifySign1(credential, issuer.key)) reject('BAD_SIGNATURE', 'credential signature does not verify');
    row.at = 'MALFORMED';
    const claims = parseClaims(credential.payload);

    row.at = 'CREDENTIAL_EXPIRED';
    if (now > (claims.exp + (d.clockSkewS ?? 60)) * 1000) reject('CREDENTIAL_EXPIRED', 'credential expired');

    row.at = 'BAD_SIGNATURE';
    if (mobile) {
      if (!claims.cnf) reject('BAD_SIGNATURE', 'card credential (no cnf key) is not accepted from a QR scanner');
      if (!verifySign1(mobile.presentation, claims.cnf as KeyObject)) reject('BAD_SIGNATURE', 'presentation signature does not verify with the cnf key');
      this.#checkPresentation(mobile.payload, now, row);
    } else if (claims.cnf && !chipBound) {
      reject('BAD_SIGNATURE', 'mobile credential needs a presentation signed by its device key; not accepted from a card reader');
    }

    row.at = 'REVOKED';
    if (d.revocations.isRevoked(claims.cti, claims.sub)) reject('REVOKED', 'credential or holder revoked');
    row.at = 'NOT_ELIGIBLE';
    if (!claims.services.includes(d.service)) reject('NOT_ELIGIBLE', 'credential does not include this gate’s service');
    row.at = 'NOT_ENROLLED';
    if (!(await d.hasReference(claims.sub))) reject('NOT_ENROLLED', 'no enrolled reference for the holder');

    const accepted: Omit<TokenAccepted, 'sub'> = {
      ok: true,
      kind: mobile ? 'mobile' : 'card',
      ctiHash: shortHash(claims.cti),
      services: [...claims.services],
      exp: claims.exp,
      kid: issuer.kid,
      ...(mobile ? { fleetKid: mobile.fleetKid } : {}),
    };
    // Non-enumerable: the gate reads it for the reference lookup, serialisers never see it.
    Object.defineProperty(accepted, 'sub', { value: claims.sub, enumerable: false });
    if (chipBound) Object.defineProperties(accepted, { cnf: { value: claims.cnf, enumerable: false }, photoHash: { value: claims.photoHash, enumerable: false } });
    return accepted as TokenAccepted;
  }

  /** Prefix, version, base45, zlib, COSE_Encrypt, fleet key, decryption, presentation structure. */
  #unwrapQr(input: string | Uint8Array, row: { at: TokenReason }): Unwrapped {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    const body = readQrPrefix(text);
    row.at = 'MALFORMED';
    const enc = parseEncrypted(unpackQrBody(body));
    row.at = 'KEY_UNKNOWN';
    const fleet = this.#d.fleetKeys.get(enc.fleetKid);
    if (!fleet) reject('KEY_UNKNOWN', 'recipient kid is not a fleet key of this gate');
    row.at = 'DECRYPT_FAILED';
    const plaintext = decryptWithFleetKey(enc, fleet.key);
    row.at = 'MALFORMED';
    const presentation = parseSign1(plaintext, 'presentation', false);
    return { presentation, payload: parsePresentationPayload(presentation.payload), fleetKid: fleet.kid };
  }

  /** iat window and the durable nonce claim; runs only after the presentation signature passed. */
  #checkPresentation(p: PresentationPayload, now: number, row: { at: TokenReason }): void {
    const windowMs = (this.#d.presentationWindowS ?? 30) * 1000;
    row.at = 'PRESENTATION_EXPIRED';
    if (Math.abs(now - p.iat * 1000) > windowMs) reject('PRESENTATION_EXPIRED', 'presentation iat outside the acceptance window');
    row.at = 'REPLAY';
    // Remembered for twice the window past iat (by the highest wall time seen and by the
    // monotonic clock); a presentation older than what the cache has forgotten is refused
    // too, so a wall clock stepped forward then back cannot re-admit a used nonce.
    if (!this.#d.replayCache.claim(p.nonce, p.iat * 1000 + 2 * windowMs, now, this.#d.clock.monotonic())) reject('REPLAY', 'nonce already used');
  }
}
