import { createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import { asBytes, asMap, expectLabels, type CborMap } from './cbor.ts';
import { reject } from './reasons.ts';

/** COSE labels used here (RFC 9052 §7, RFC 9053 §7.1). */
export const KTY = 1;
export const KTY_EC2 = 2;
export const CRV = -1;
export const CRV_P256 = 1;
export const X = -2;
export const Y = -3;

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateP256(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** The EC2 COSE_Key of a P-256 public key: `{1: 2, -1: 1, -2: x, -3: y}`. */
export function toCoseKey(publicKey: KeyObject): CborMap {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new TypeError('P-256 public key expected');
  return new Map<number, unknown>([
    [KTY, KTY_EC2],
    [CRV, CRV_P256],
    [X, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
    [Y, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
  ]);
}

/**
 * Reads an EC2 P-256 COSE_Key. Only the four labels above are accepted (no compressed
 * points, no extra parameters); a point that is not on the curve is MALFORMED, because
 * OpenSSL refuses to import it.
 */
export function fromCoseKey(value: unknown, what: string): KeyObject {
  const map = asMap(value, what);
  expectLabels(map, [KTY, CRV, X, Y], [], what);
  if (map.get(KTY) !== KTY_EC2 || map.get(CRV) !== CRV_P256) reject('MALFORMED', `${what}: EC2 P-256 key expected`);
  const x = asBytes(map.get(X), `${what} x`, { exact: 32 });
  const y = asBytes(map.get(Y), `${what} y`, { exact: 32 });
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') },
      format: 'jwk',
    });
  } catch {
    reject('MALFORMED', `${what}: not a point on P-256`);
  }
}

/** ES256 signature as COSE wants it: r‖s, 64 bytes (IEEE P1363), not DER. */
export function signEs256(privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

export function verifyEs256(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** ECDH on P-256: the shared secret is the x-coordinate of the shared point (32 bytes). */
export function ecdhSecret(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

/** HKDF-SHA256 with an empty salt, as ECDH-ES + HKDF-256 (alg -25) prescribes. */
export function hkdfSha256(secret: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), info, length));
}
