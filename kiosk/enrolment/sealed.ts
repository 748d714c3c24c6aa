import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { EnrolmentError } from './errors.ts';

/** Length of a face template (the face engine's embedding). */
export const REFERENCE_DIM = 512;

export interface Sealed {
  iv: Buffer;
  sealed: Buffer;
  tag: Buffer;
}

/** Short public fingerprint of a key, so a wrong key is named as such instead of as tampering. */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('egate enrolment key id v1').digest().subarray(0, 8).toString('hex');
}

/** AES-256-GCM with a fresh 96-bit IV per call; `aad` is authenticated, not stored. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const sealed = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv, sealed, tag: c.getAuthTag() };
}

/** Opens a sealed box; any change to ciphertext, IV, tag or AAD fails with ENROLMENT_DECRYPT_FAILED. */
export function unseal(key: Buffer, box: Sealed, aad: Buffer, what: string): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', key, box.iv);
    d.setAAD(aad);
    d.setAuthTag(box.tag);
    return Buffer.concat([d.update(box.sealed), d.final()]);
  } catch (err) {
    throw new EnrolmentError('ENROLMENT_DECRYPT_FAILED', `${what} failed authentication (tampered, moved to another sub, or another key)`, { cause: err });
  }
}

/** The sub is bound to its row: a ciphertext copied onto another sub's row will not open. */
export function referenceAad(sub: string): Buffer {
  return Buffer.from(`egate/reference/v1\0${sub}`, 'utf8');
}

export function checkSub(sub: unknown): asserts sub is string {
  // eslint-disable-next-line no-control-regex
  if (typeof sub !== 'string' || sub.length < 1 || sub.length > 128 || /[\u0000-\u001f\u007f]/.test(sub)) {
    throw new EnrolmentError('ENROLMENT_BAD_SUB', 'sub must be 1-128 characters without control characters');
  }
}

/** Templates are stored little-endian whatever the host, so a store moves between machines. */
export function templateToBytes(t: Float32Array): Buffer {
  if (!(t instanceof Float32Array) || t.length !== REFERENCE_DIM || !t.every(Number.isFinite)) {
    throw new EnrolmentError('ENROLMENT_BAD_TEMPLATE', `template must be a Float32Array of ${REFERENCE_DIM} finite values`);
  }
  const b = Buffer.alloc(t.length * 4);
  t.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

export function bytesToTemplate(b: Buffer): Float32Array {
  if (b.length !== REFERENCE_DIM * 4) throw new EnrolmentError('ENROLMENT_BAD_TEMPLATE', `stored template has ${b.length} bytes`);
  const t = new Float32Array(REFERENCE_DIM);
  for (let i = 0; i < REFERENCE_DIM; i++) t[i] = b.readFloatLE(i * 4);
  return t;
}
