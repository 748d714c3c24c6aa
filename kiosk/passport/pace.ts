import { authToken, paceKey, randomScalar } from '../../icao/access-keys.ts';
import { oidBytes, paceCurve, type PaceCurve, type PaceInfo } from '../../icao/card-access.ts';
import { blockSize, decrypt, equalBytes, kdf, KDF_ENC, KDF_MAC } from '../../icao/crypto.ts';
import type { ChipChannel } from './channel.ts';
import { PassportError } from '../../icao/errors.ts';
import type { Mrz } from '../../icao/mrz.ts';
import { SmSession } from '../../icao/secure-messaging.ts';
import { findTag, tlv } from '../../icao/tlv.ts';

type Point = InstanceType<PaceCurve>;

function decodePoint(curve: PaceCurve, bytes: Uint8Array | undefined, what: string): Point {
  try {
    if (!bytes) throw new Error('missing');
    const p = curve.fromBytes(bytes);
    p.assertValidity();
    return p;
  } catch {
    throw new PassportError('ACCESS_DENIED', `${what} is not a point on the curve`);
  }
}

/** One GENERAL AUTHENTICATE step; data objects travel inside the dynamic-authentication template 7C. */
async function generalAuthenticate(ch: ChipChannel, last: boolean, inner: Buffer, want: number, step: string): Promise<Buffer> {
  const data = await ch.expectOk(
    { cla: last ? 0x00 : 0x10, ins: 0x86, p1: 0, p2: 0, data: tlv(0x7c, inner), le: 256 },
    'ACCESS_DENIED',
    `GENERAL AUTHENTICATE (${step})`,
  );
  try {
    const outer = findTag(data, 0x7c);
    const v = outer && findTag(outer.value, want);
    if (!v) throw new Error('missing');
    return v.value;
  } catch {
    throw new PassportError('ACCESS_DENIED', `GENERAL AUTHENTICATE (${step}): malformed answer`);
  }
}

export interface PaceOptions {
  /** Ephemeral private scalars, injectable to replay a worked example. */
  privateKey?: (curve: PaceCurve, step: 'mapping' | 'agreement') => bigint;
}

/**
 * PACE with ECDH generic mapping and the MRZ as password (Part 11 §4.4), terminal side.
 * A refusal, a point off the curve, or a chip token that does not verify is
 * ACCESS_DENIED. Returns the secure-messaging session (counter zero).
 */
export async function performPace(ch: ChipChannel, mrz: Pick<Mrz, 'lines'>, info: PaceInfo, opts: PaceOptions = {}): Promise<SmSession> {
  const curve = paceCurve(info.parameterId);
  if (!curve || info.mapping !== 'GM' || info.agreement !== 'ECDH') throw new PassportError('ACCESS_DENIED', 'unsupported PACE variant');
  const priv = opts.privateKey ?? ((c: PaceCurve) => randomScalar(c));
  const suite = info.suite;
  const setAt = Buffer.concat([tlv(0x80, oidBytes(info.oid)), tlv(0x83, Buffer.from([0x01])), tlv(0x84, Buffer.from([info.parameterId!]))]);
  await ch.expectOk({ cla: 0, ins: 0x22, p1: 0xc1, p2: 0xa4, data: setAt }, 'ACCESS_DENIED', 'MSE:Set AT');

  const z = await generalAuthenticate(ch, false, Buffer.alloc(0), 0x80, 'nonce');
  if (z.length === 0 || z.length % blockSize(suite) !== 0) throw new PassportError('ACCESS_DENIED', 'encrypted nonce of a wrong size');
  const s = BigInt(`0x${decrypt(suite, paceKey(mrz, suite), null, z).toString('hex')}`);
  if (s === 0n) throw new PassportError('ACCESS_DENIED', 'nonce is zero');

  const mapPriv = priv(curve, 'mapping');
  const mapPub = curve.BASE.multiply(mapPriv);
  const chipMapPub = decodePoint(curve, await generalAuthenticate(ch, false, tlv(0x81, mapPub.toBytes(false)), 0x82, 'map'), 'chip mapping key');
  const h = chipMapPub.multiply(mapPriv);
  const mappedG = curve.BASE.multiply(s).add(h);

  const ephPriv = priv(curve, 'agreement');
  const ephPub = mappedG.multiply(ephPriv);
  const chipEphPub = decodePoint(curve, await generalAuthenticate(ch, false, tlv(0x83, ephPub.toBytes(false)), 0x84, 'key agreement'), 'chip ephemeral key');
  if (chipEphPub.equals(ephPub)) throw new PassportError('ACCESS_DENIED', 'chip echoed the terminal key');
  const shared = chipEphPub.multiply(ephPriv).toBytes(false).subarray(1, 1 + (curve.BASE.toBytes(false).length - 1) / 2);

  const ksEnc = kdf(shared, KDF_ENC, suite);
  const ksMac = kdf(shared, KDF_MAC, suite);
  const tIfd = authToken(suite, ksMac, info.oid, chipEphPub);
  const tIc = await generalAuthenticate(ch, true, tlv(0x85, tIfd), 0x86, 'mutual authentication');
  if (!equalBytes(tIc, authToken(suite, ksMac, info.oid, ephPub))) throw new PassportError('ACCESS_DENIED', 'chip token does not verify');
  return new SmSession(suite, ksEnc, ksMac);
}
