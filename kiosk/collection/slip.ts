import { randomBytes, type KeyObject } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { decode as base45Decode, encode as base45Encode } from '@digitalbazaar/base45';
import { asBytes, asMap, asText, asUint, decodeStrict, encodeCbor, expectLabels } from '../tokens/cbor.ts';
import { CTI, EXP, IAT, ISS, ISSUER_NAME, SERVICES, SUB } from '../tokens/claims.ts';
import { parseSign1, signSign1, verifySign1 } from '../tokens/cose-sign1.ts';
import { kidBytes } from '../tokens/kid.ts';
import { shortHash } from '../tokens/reasons.ts';
import type { TrustList } from '../tokens/trust-list.ts';

/**
 * The collection slip (issue 14 §4): a COSE_Sign1 signed by an issuer key of the trust list,
 * exactly like a tokens.md credential, whose CWT claims name the resident (`sub`) and the card
 * to collect (claim -70010, the card number). Service `COL`. QR text `HKCS1:` + base45(zlib(…)).
 * It is printed on paper for the resident's own card, so it is signed, not encrypted; the
 * kiosk never journals or logs the number or `sub` (shortHash of the slip only).
 */
export const SLIP_PREFIX = 'HKCS1:';
export const CARD_NUMBER = -70010;
export const COLLECTION_SERVICE = 'COL';
const MAX_SLIP_TEXT = 2048;

export type SlipReason = 'MALFORMED' | 'ISSUER_UNTRUSTED' | 'BAD_SIGNATURE' | 'SLIP_EXPIRED' | 'NOT_A_SLIP' | 'REVOKED';

export interface SlipAccepted {
  ok: true;
  /** Non-enumerable: the resident and the card number never reach a serialiser. */
  readonly sub: string;
  readonly cardNumber: string;
  /** First 16 hex of SHA-256 of the slip's id: what the journal may name. */
  ctiHash: string;
  kid: string;
  exp: number;
}
export type SlipResult = SlipAccepted | { ok: false; reason: SlipReason; slip: string };

export interface SlipSpec {
  issuerKey: KeyObject;
  issuerKid: string;
  sub: string;
  cardNumber: string;
  iat: number;
  exp: number;
  cti?: Uint8Array;
}

/** The issuing side (scripts/issue-slip.ts, tests, the simulator); a kiosk never issues. */
export function issueSlip(s: SlipSpec): string {
  const claims = new Map<number, unknown>([
    [ISS, ISSUER_NAME], [SUB, s.sub], [EXP, s.exp], [IAT, s.iat],
    [CTI, s.cti ?? new Uint8Array(randomBytes(16))], [SERVICES, [COLLECTION_SERVICE]], [CARD_NUMBER, s.cardNumber],
  ]);
  const sign1 = signSign1(s.issuerKey, encodeCbor(claims), kidBytes(s.issuerKid));
  return SLIP_PREFIX + base45Encode(new Uint8Array(deflateSync(sign1, { level: 9 })));
}

/** Checks a scanned slip: shape, trusted issuer, signature, service, expiry, revocation. Never throws. */
export function verifySlip(text: string, d: { trustList: TrustList; nowMs: number; revokedCti?: (ctiHash: string) => boolean }): SlipResult {
  const slip = shortHash(text);
  const no = (reason: SlipReason): SlipResult => ({ ok: false, reason, slip });
  if (typeof text !== 'string' || text.length > MAX_SLIP_TEXT || !text.startsWith(SLIP_PREFIX)) return no('MALFORMED');
  let sign1;
  let claims;
  try {
    const bytes = new Uint8Array(inflateSync(base45Decode(text.slice(SLIP_PREFIX.length)), { maxOutputLength: 4096 }));
    sign1 = parseSign1(bytes, 'slip', true);
    claims = asMap(decodeStrict(sign1.payload, 'slip claims'), 'slip claims');
    expectLabels(claims, [ISS, SUB, EXP, IAT, CTI, SERVICES, CARD_NUMBER], [], 'slip claims');
  } catch {
    return no('MALFORMED');
  }
  const issuer = d.trustList.lookup(sign1.kid!, d.nowMs);
  if (!issuer) return no('ISSUER_UNTRUSTED');
  if (!verifySign1(sign1, issuer.key)) return no('BAD_SIGNATURE');
  let sub: string, cardNumber: string, exp: number, cti: Uint8Array, services: unknown;
  try {
    if (asText(claims.get(ISS), 'iss') !== ISSUER_NAME) return no('MALFORMED');
    sub = asText(claims.get(SUB), 'sub', 64);
    cardNumber = asText(claims.get(CARD_NUMBER), 'card number', 16);
    exp = asUint(claims.get(EXP), 'exp');
    cti = asBytes(claims.get(CTI), 'cti', { exact: 16 });
    services = claims.get(SERVICES);
  } catch {
    return no('MALFORMED');
  }
  if (!Array.isArray(services) || !services.includes(COLLECTION_SERVICE)) return no('NOT_A_SLIP');
  if (exp * 1000 <= d.nowMs) return no('SLIP_EXPIRED');
  const ctiHash = shortHash(cti);
  if (d.revokedCti?.(ctiHash)) return no('REVOKED');
  const ok = { ok: true, ctiHash, kid: issuer.kid, exp } as SlipAccepted;
  Object.defineProperty(ok, 'sub', { value: sub, enumerable: false });
  Object.defineProperty(ok, 'cardNumber', { value: cardNumber, enumerable: false });
  return ok;
}
