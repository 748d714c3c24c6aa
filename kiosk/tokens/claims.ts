import type { KeyObject } from 'node:crypto';
import { asBytes, asMap, asText, asUint, decodeStrict, encodeCbor, expectLabels } from './cbor.ts';
import { fromCoseKey, toCoseKey } from './cose-key.ts';
import { reject } from './reasons.ts';

/** CWT claim keys (RFC 8392) and the private services claim of tokens.md §1. */
export const ISS = 1;
export const SUB = 2;
export const EXP = 4;
export const IAT = 6;
export const CTI = 7;
export const CNF = 8;
export const COSE_KEY = 1;
export const SERVICES = -70001;
/** smart-id.md: on a card credential, the SHA-256 of EF.PHOTO's bytes. */
export const PHOTO_HASH = -70002;
export const ISSUER_NAME = 'HKIMMD';

export interface CredentialClaims {
  iss: string;
  sub: string;
  exp: number;
  iat: number;
  cti: Uint8Array;
  /** The holder's device key; present in mobile credentials only. */
  cnf?: KeyObject;
  services: string[];
  /** smart-id.md: SHA-256 of the card's EF.PHOTO (card credentials carrying a chip key). */
  photoHash?: Uint8Array;
}

export interface PresentationPayload {
  credential: Uint8Array;
  iat: number;
  nonce: Uint8Array;
}

export function encodeClaims(c: CredentialClaims): Uint8Array {
  const m = new Map<number, unknown>([
    [ISS, c.iss],
    [SUB, c.sub],
    [EXP, c.exp],
    [IAT, c.iat],
    [CTI, c.cti],
  ]);
  if (c.cnf) m.set(CNF, new Map([[COSE_KEY, toCoseKey(c.cnf)]]));
  m.set(SERVICES, c.services);
  if (c.photoHash) m.set(PHOTO_HASH, c.photoHash);
  return encodeCbor(m);
}

/** Reads the claims of a credential whose signature has already been checked. */
export function parseClaims(payload: Uint8Array): CredentialClaims {
  const what = 'credential claims';
  const m = asMap(decodeStrict(payload, what), what);
  expectLabels(m, [ISS, SUB, EXP, IAT, CTI, SERVICES], [CNF, PHOTO_HASH], what);
  const iss = asText(m.get(ISS), 'iss');
  if (iss !== ISSUER_NAME) reject('MALFORMED', 'credential: iss is not the immigration authority');
  const sub = asText(m.get(SUB), 'sub', 64);
  const exp = asUint(m.get(EXP), 'exp');
  const iat = asUint(m.get(IAT), 'iat');
  const cti = asBytes(m.get(CTI), 'cti', { exact: 16 });
  const rawServices = m.get(SERVICES);
  if (!Array.isArray(rawServices) || rawServices.length > 16) reject('MALFORMED', 'services: array expected');
  const services = rawServices.map((s) => asText(s, 'service', 16));
  const claims: CredentialClaims = { iss, sub, exp, iat, cti, services };
  if (m.has(CNF)) {
    const cnf = asMap(m.get(CNF), 'cnf');
    expectLabels(cnf, [COSE_KEY], [], 'cnf');
    claims.cnf = fromCoseKey(cnf.get(COSE_KEY), 'cnf key');
  }
  if (m.has(PHOTO_HASH)) claims.photoHash = asBytes(m.get(PHOTO_HASH), 'photo hash', { exact: 32 });
  return claims;
}

export function encodePresentationPayload(p: PresentationPayload): Uint8Array {
  return encodeCbor(new Map<number, unknown>([[1, p.credential], [2, p.iat], [3, p.nonce]]));
}

/**
 * Structure only: the verifier needs the credential bytes before it can check the
 * presentation signature, and uses `iat` and `nonce` only after that signature passed.
 */
export function parsePresentationPayload(payload: Uint8Array): PresentationPayload {
  const what = 'presentation payload';
  const m = asMap(decodeStrict(payload, what), what);
  expectLabels(m, [1, 2, 3], [], what);
  return {
    credential: asBytes(m.get(1), 'presentation credential', { min: 1 }),
    iat: asUint(m.get(2), 'presentation iat'),
    nonce: asBytes(m.get(3), 'nonce', { exact: 16 }),
  };
}
