import { createHash, randomBytes } from 'node:crypto';
import { decrypt, encrypt, equalBytes, kdf, KDF_ENC, KDF_MAC, pad, retailMac, xor } from './crypto.ts';
import type { ChipChannel } from './channel.ts';
import { PassportError } from './errors.ts';
import { mrzKeyInput, type Mrz } from './mrz.ts';
import { SmSession } from './secure-messaging.ts';

/** Document Basic Access Keys of Part 11 §9.7.2, from the MRZ's key fields. */
export function bacKeys(mrz: Pick<Mrz, 'lines'>): { kSeed: Buffer; kEnc: Buffer; kMac: Buffer } {
  const kSeed = createHash('sha1').update(mrzKeyInput(mrz), 'latin1').digest().subarray(0, 16);
  return { kSeed, kEnc: kdf(kSeed, KDF_ENC, '3DES'), kMac: kdf(kSeed, KDF_MAC, '3DES') };
}

/** Session keys and counter from both sides' key material (Part 11 §9.7.4 and §9.8.6.3). */
export function bacSession(kIfd: Uint8Array, kIc: Uint8Array, rndIc: Uint8Array, rndIfd: Uint8Array): SmSession {
  const seed = xor(kIfd, kIc);
  const ssc = Buffer.concat([rndIc.subarray(4, 8), rndIfd.subarray(4, 8)]);
  return new SmSession('3DES', kdf(seed, KDF_ENC, '3DES'), kdf(seed, KDF_MAC, '3DES'), ssc);
}

/**
 * Basic Access Control, terminal side: GET CHALLENGE, then MUTUAL AUTHENTICATE with the
 * keys from the MRZ. Any refusal or a chip answer whose MAC or nonces do not check is
 * ACCESS_DENIED (wrong MRZ, or not the chip of this data page). `random` is injectable
 * so the ICAO worked example can be replayed.
 */
export async function performBac(ch: ChipChannel, mrz: Pick<Mrz, 'lines'>, random: (n: number) => Buffer = randomBytes): Promise<SmSession> {
  const { kEnc, kMac } = bacKeys(mrz);
  const rndIc = await ch.expectOk({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 }, 'ACCESS_DENIED', 'GET CHALLENGE');
  if (rndIc.length !== 8) throw new PassportError('ACCESS_DENIED', 'challenge is not 8 bytes');
  const rndIfd = random(8);
  const kIfd = random(16);
  const eIfd = encrypt('3DES', kEnc, null, Buffer.concat([rndIfd, rndIc, kIfd]));
  const mIfd = retailMac(kMac, pad(eIfd, 8));
  const resp = await ch.expectOk(
    { cla: 0, ins: 0x82, p1: 0, p2: 0, data: Buffer.concat([eIfd, mIfd]), le: 40 },
    'ACCESS_DENIED',
    'MUTUAL AUTHENTICATE',
  );
  if (resp.length !== 40) throw new PassportError('ACCESS_DENIED', 'authentication answer is not 40 bytes');
  const eIc = resp.subarray(0, 32);
  if (!equalBytes(retailMac(kMac, pad(eIc, 8)), resp.subarray(32))) throw new PassportError('ACCESS_DENIED', 'chip authentication MAC does not verify');
  const r = decrypt('3DES', kEnc, null, eIc);
  if (!equalBytes(r.subarray(0, 8), rndIc) || !equalBytes(r.subarray(8, 16), rndIfd)) {
    throw new PassportError('ACCESS_DENIED', 'chip did not echo the nonces');
  }
  return bacSession(kIfd, r.subarray(16, 32), rndIc, rndIfd);
}
