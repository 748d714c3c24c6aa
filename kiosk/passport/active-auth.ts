import { constants, createHash, publicDecrypt, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { ChipChannel } from './channel.ts';
import { equalBytes } from '../../icao/crypto.ts';
import { PassportError } from '../../icao/errors.ts';

const ISO9796_HASH: Record<number, string> = { 0x33: 'sha1', 0x34: 'sha256', 0x36: 'sha384', 0x35: 'sha512', 0x38: 'sha224' };

/**
 * ISO/IEC 9796-2 scheme 1 (partial message recovery), as RSA Active Authentication signs:
 * M = 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer (BC for SHA-1, or 'hh CC').
 */
function verifyIso9796(key: KeyObject, challenge: Buffer, signature: Buffer): boolean {
  let m: Buffer;
  try {
    m = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  if (m[0] !== 0x6a) return false;
  let hash = 'sha1';
  let trailer = 1;
  if (m[m.length - 1] === 0xcc) {
    const h = ISO9796_HASH[m[m.length - 2]!];
    if (!h) return false;
    hash = h;
    trailer = 2;
  } else if (m[m.length - 1] !== 0xbc) return false;
  const hLen = createHash(hash).digest().length;
  const d = m.subarray(m.length - trailer - hLen, m.length - trailer);
  const m1 = m.subarray(1, m.length - trailer - hLen);
  return equalBytes(createHash(hash).update(m1).update(challenge).digest(), d);
}

/**
 * Active Authentication (Part 11 §6.1): the chip signs a fresh 8-byte challenge with the
 * private key matching DG15. A refusal or a signature that does not verify is CHIP_CLONED:
 * the data may be genuine but this chip is not the one it was issued in.
 * ECDSA signatures are plain r‖s over SHA-256 unless DG14 names another hash.
 */
export async function activeAuthentication(ch: ChipChannel, key: KeyObject, ecdsaHash = 'sha256'): Promise<void> {
  const challenge = randomBytes(8);
  const r = await ch.send({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le: 256 });
  if (r.sw !== 0x9000 || r.data.length === 0) throw new PassportError('CHIP_CLONED', 'chip refused Active Authentication');
  let ok = false;
  try {
    ok = key.asymmetricKeyType === 'ec' ? verify(ecdsaHash, challenge, { key, dsaEncoding: 'ieee-p1363' }, r.data) : verifyIso9796(key, challenge, r.data);
  } catch {
    ok = false;
  }
  if (!ok) throw new PassportError('CHIP_CLONED', 'Active Authentication signature does not verify');
}
