import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { asArray, asBytes, asMap, asTagged, decodeStrict, encodeCbor, expectLabels, Tag } from './cbor.ts';
import { ecdhSecret, fromCoseKey, generateP256, hkdfSha256, toCoseKey } from './cose-key.ts';
import { ALG, KID, MAX_KID_BYTES } from './cose-sign1.ts';
import { reject } from './reasons.ts';

export const TAG_ENCRYPT = 96;
export const A256GCM = 3;
export const ECDH_ES_HKDF_256 = -25;
export const IV = 5;
export const EPHEMERAL_KEY = -1;

/** A COSE_Encrypt taken apart; structure checked, nothing decrypted yet. */
export interface Encrypted {
  protectedBytes: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  recipientProtectedBytes: Uint8Array;
  ephemeralKey: KeyObject;
  fleetKid: Uint8Array;
}

/** Enc_structure (RFC 9052 §5.3): the AAD of the content encryption, external AAD empty. */
export function encStructure(protectedBytes: Uint8Array): Uint8Array {
  return encodeCbor(['Encrypt', protectedBytes, new Uint8Array(0)]);
}

/** COSE_KDF_Context exactly as tokens.md §3 writes it: PartyU/V all nil, 256 bits, recipient protected. */
export function kdfContext(recipientProtectedBytes: Uint8Array): Uint8Array {
  return encodeCbor([A256GCM, [null, null, null], [null, null, null], [256, recipientProtectedBytes]]);
}

export function contentKey(fleetPrivateKey: KeyObject, ephemeralPublicKey: KeyObject, recipientProtectedBytes: Uint8Array): Uint8Array {
  return hkdfSha256(ecdhSecret(fleetPrivateKey, ephemeralPublicKey), kdfContext(recipientProtectedBytes), 32);
}

/** Encrypts `plaintext` to the fleet key `fleetKid` with a fresh ephemeral key and IV. */
export function encryptToFleet(plaintext: Uint8Array, fleetPublicKey: KeyObject, fleetKid: Uint8Array, iv: Uint8Array = randomBytes(12)): Uint8Array {
  const protectedBytes = encodeCbor(new Map([[ALG, A256GCM]]));
  const recipientProtectedBytes = encodeCbor(new Map([[ALG, ECDH_ES_HKDF_256]]));
  const ephemeral = generateP256();
  const key = contentKey(ephemeral.privateKey, fleetPublicKey, recipientProtectedBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(encStructure(protectedBytes));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const recipientHeader = new Map<number, unknown>([
    [EPHEMERAL_KEY, toCoseKey(ephemeral.publicKey)],
    [KID, fleetKid],
  ]);
  const recipient = [recipientProtectedBytes, recipientHeader, new Uint8Array(0)];
  return encodeCbor(new Tag([protectedBytes, new Map([[IV, new Uint8Array(iv)]]), new Uint8Array(ciphertext), [recipient]], TAG_ENCRYPT));
}

/** Parses the outer layer: tag 96, A256GCM, a 12-byte IV, exactly one ECDH-ES + HKDF-256 recipient. */
export function parseEncrypted(bytes: Uint8Array): Encrypted {
  const what = 'COSE_Encrypt';
  const parts = asArray(asTagged(decodeStrict(bytes, what), TAG_ENCRYPT, what), 4, what);
  const protectedBytes = asBytes(parts[0], `${what} protected`, { min: 1, max: 64 });
  const header = asMap(decodeStrict(protectedBytes, `${what} protected`), `${what} protected`);
  expectLabels(header, [ALG], [], `${what} protected`);
  if (header.get(ALG) !== A256GCM) reject('MALFORMED', `${what}: alg A256GCM expected`);
  const unprotected = asMap(parts[1], `${what} unprotected`);
  expectLabels(unprotected, [IV], [], `${what} unprotected`);
  const iv = asBytes(unprotected.get(IV), `${what} iv`, { exact: 12 });
  const ciphertext = asBytes(parts[2], `${what} ciphertext`, { min: 17 });
  const recipients = parts[3];
  if (!Array.isArray(recipients) || recipients.length !== 1) reject('MALFORMED', `${what}: exactly one recipient expected`);
  const r = asArray(recipients[0], 3, 'recipient');
  const recipientProtectedBytes = asBytes(r[0], 'recipient protected', { min: 1, max: 64 });
  const rHeader = asMap(decodeStrict(recipientProtectedBytes, 'recipient protected'), 'recipient protected');
  expectLabels(rHeader, [ALG], [], 'recipient protected');
  if (rHeader.get(ALG) !== ECDH_ES_HKDF_256) reject('MALFORMED', 'recipient: alg ECDH-ES + HKDF-256 expected');
  const rUnprotected = asMap(r[1], 'recipient unprotected');
  expectLabels(rUnprotected, [EPHEMERAL_KEY, KID], [], 'recipient unprotected');
  const ephemeralKey = fromCoseKey(rUnprotected.get(EPHEMERAL_KEY), 'ephemeral key');
  const fleetKid = asBytes(rUnprotected.get(KID), 'recipient kid', { min: 1, max: MAX_KID_BYTES });
  if (asBytes(r[2], 'recipient ciphertext').length !== 0) reject('MALFORMED', 'recipient: direct key agreement has no wrapped key');
  return { protectedBytes, iv, ciphertext, recipientProtectedBytes, ephemeralKey, fleetKid };
}

/** Decrypts with the fleet private key; a wrong key, a changed header or a broken tag is DECRYPT_FAILED. */
export function decryptWithFleetKey(enc: Encrypted, fleetPrivateKey: KeyObject): Uint8Array {
  try {
    const key = contentKey(fleetPrivateKey, enc.ephemeralKey, enc.recipientProtectedBytes);
    const body = enc.ciphertext.subarray(0, enc.ciphertext.length - 16);
    const tag = enc.ciphertext.subarray(enc.ciphertext.length - 16);
    const decipher = createDecipheriv('aes-256-gcm', key, enc.iv, { authTagLength: 16 });
    decipher.setAAD(encStructure(enc.protectedBytes));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch {
    reject('DECRYPT_FAILED', 'decryption or GCM tag check failed');
  }
}
