import { createHash, randomBytes } from 'node:crypto';
import { oidBytes, type PaceCurve } from './card-access.ts';
import { kdf, KDF_ENC, KDF_MAC, KDF_PACE, pad, smMac, xor, type CipherSuite } from './crypto.ts';
import { mrzKeyInput, type Mrz } from './mrz.ts';
import { SmSession } from './secure-messaging.ts';
import { tlv } from './tlv.ts';

/**
 * The key material of chip access control (ICAO 9303 Part 11) that both ends compute the
 * same way: the terminal (kiosk/passport) and the simulated chip (drivers/chip). The
 * protocol runs themselves live with each side.
 */

type Point = InstanceType<PaceCurve>;

/** Document Basic Access Keys of Part 11 §9.7.2, from the MRZ's key fields. */
export function bacKeys(mrz: Pick<Mrz, 'lines'>): { kSeed: Buffer; kEnc: Buffer; kMac: Buffer } {
  const kSeed = createHash('sha1').update(mrzKeyInput(mrz), 'latin1').digest().subarray(0, 16);
  return { kSeed, kEnc: kdf(kSeed, KDF_ENC, '3DES'), kMac: kdf(kSeed, KDF_MAC, '3DES') };
}

/** BAC session keys and counter from both sides' key material (Part 11 §9.7.4 and §9.8.6.3). */
export function bacSession(kIfd: Uint8Array, kIc: Uint8Array, rndIc: Uint8Array, rndIfd: Uint8Array): SmSession {
  const seed = xor(kIfd, kIc);
  const ssc = Buffer.concat([rndIc.subarray(4, 8), rndIfd.subarray(4, 8)]);
  return new SmSession('3DES', kdf(seed, KDF_ENC, '3DES'), kdf(seed, KDF_MAC, '3DES'), ssc);
}

/** PACE Kπ from the MRZ password (Part 11 §9.7.3): KDF(SHA-1(MRZ key input), 3). */
export function paceKey(mrz: Pick<Mrz, 'lines'>, suite: CipherSuite): Buffer {
  const k = createHash('sha1').update(mrzKeyInput(mrz), 'latin1').digest();
  return kdf(k, KDF_PACE, suite);
}

/** A uniformly random scalar in [1, n-1]. */
export function randomScalar(curve: PaceCurve): bigint {
  const n = curve.Fn.ORDER;
  const bytes = randomBytes(Math.ceil(n.toString(16).length / 2) + 8);
  return (BigInt(`0x${bytes.toString('hex')}`) % (n - 1n)) + 1n;
}

/** Public-key data object 7F49 { 06 protocol OID, 86 point } that the PACE tokens MAC (§4.4.3.4). */
export function publicKeyDo(oid: string, point: Point): Buffer {
  return tlv(0x7f49, Buffer.concat([tlv(0x06, oidBytes(oid)), tlv(0x86, point.toBytes(false))]));
}

/** The PACE authentication token over the other side's ephemeral public key. */
export function authToken(suite: CipherSuite, ksMac: Uint8Array, oid: string, point: Point): Buffer {
  return smMac(suite, ksMac, suite === '3DES' ? pad(publicKeyDo(oid, point), 8) : publicKeyDo(oid, point));
}
