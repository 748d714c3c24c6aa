import { randomBytes } from 'node:crypto';
import { bacKeys, bacSession } from '../../icao/access-keys.ts';
import { decrypt, encrypt, equalBytes, pad, retailMac } from '../../icao/crypto.ts';
import type { ChipChannel } from './channel.ts';
import { PassportError } from '../../icao/errors.ts';
import type { Mrz } from '../../icao/mrz.ts';
import type { SmSession } from '../../icao/secure-messaging.ts';

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
