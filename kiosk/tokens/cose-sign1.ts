import type { KeyObject } from 'node:crypto';
import { asArray, asBytes, asMap, asTagged, decodeStrict, encodeCbor, expectLabels, Tag } from './cbor.ts';
import { signEs256, verifyEs256 } from './cose-key.ts';
import { reject } from './reasons.ts';

export const TAG_SIGN1 = 18;
export const ALG = 1;
export const KID = 4;
export const ES256 = -7;
export const MAX_KID_BYTES = 64;

/** A COSE_Sign1 taken apart; nothing in it is trusted until `verifySign1` says so. */
export interface Sign1 {
  protectedBytes: Uint8Array;
  kid: Uint8Array | undefined;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** Sig_structure for COSE_Sign1 (RFC 9052 §4.4), external AAD empty. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/** Protected header `{1: -7}` or `{1: -7, 4: kid}`. */
export function sign1Protected(kid?: Uint8Array): Uint8Array {
  const header = new Map<number, unknown>([[ALG, ES256]]);
  if (kid) header.set(KID, kid);
  return encodeCbor(header);
}

export function signSign1(privateKey: KeyObject, payload: Uint8Array, kid?: Uint8Array, protectedBytes = sign1Protected(kid)): Uint8Array {
  const signature = signEs256(privateKey, sigStructure(protectedBytes, payload));
  return encodeCbor(new Tag([protectedBytes, new Map(), payload, signature], TAG_SIGN1));
}

/**
 * Parses a tagged COSE_Sign1 with ES256. `needKid` demands a kid in the protected header
 * (credentials name their issuer key; presentations are checked with the cnf key instead).
 * Unprotected headers must be empty: nothing unsigned may influence a decision.
 */
export function parseSign1(bytes: Uint8Array, what: string, needKid: boolean): Sign1 {
  const parts = asArray(asTagged(decodeStrict(bytes, what), TAG_SIGN1, what), 4, what);
  const protectedBytes = asBytes(parts[0], `${what} protected`, { min: 1, max: 128 });
  const header = asMap(decodeStrict(protectedBytes, `${what} protected`), `${what} protected`);
  expectLabels(header, needKid ? [ALG, KID] : [ALG], [], `${what} protected`);
  if (header.get(ALG) !== ES256) reject('MALFORMED', `${what}: alg ES256 expected`);
  const kid = needKid ? asBytes(header.get(KID), `${what} kid`, { min: 1, max: MAX_KID_BYTES }) : undefined;
  if (asMap(parts[1], `${what} unprotected`).size !== 0) reject('MALFORMED', `${what}: unprotected header must be empty`);
  const payload = asBytes(parts[2], `${what} payload`, { min: 1 });
  const signature = asBytes(parts[3], `${what} signature`, { exact: 64 });
  return { protectedBytes, kid, payload, signature };
}

export function verifySign1(sign1: Sign1, publicKey: KeyObject): boolean {
  return verifyEs256(publicKey, sigStructure(sign1.protectedBytes, sign1.payload), sign1.signature);
}
