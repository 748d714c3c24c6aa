import { createECDH, createPublicKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { ChipChannel } from './channel.ts';
import { oidBytes, parseCardAccess, type PaceInfo } from '../../icao/card-access.ts';
import { kdf, KDF_ENC, KDF_MAC, type CipherSuite } from '../../icao/crypto.ts';
import { PassportError } from '../../icao/errors.ts';
import { SmSession } from '../../icao/secure-messaging.ts';
import { readTlv, tlv } from '../../icao/tlv.ts';

/** Chip Authentication (Part 11 §6.2) as DG14 offers it: ECDH with the chip's static key. */
export interface ChipAuthInfo {
  protocol: string;
  suite: CipherSuite;
  keyId: number | undefined;
  publicKey: KeyObject;
}

const CA_ECDH = '0.4.0.127.0.7.2.2.3.2.';
const PK_ECDH = '0.4.0.127.0.7.2.2.1.2';
const CA_SUITES: Record<string, CipherSuite> = { '1': '3DES', '2': 'AES-128', '3': 'AES-192', '4': 'AES-256' };

/** Finds an ECDH ChipAuthenticationInfo and its public key in DG14 (tag 6E { SET OF SecurityInfo }). */
export function parseDg14(bytes: Uint8Array): ChipAuthInfo | undefined {
  const outer = readTlv(bytes);
  if (outer.tag !== 0x6e) throw new Error('DG14 does not start with tag 6E');
  const parsed = asn1js.fromBER(Uint8Array.from(outer.value));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Set)) throw new Error('DG14 is not a SET');
  let info: { protocol: string; suite: CipherSuite; keyId: number | undefined } | undefined;
  const keys = new Map<number | undefined, KeyObject>();
  for (const item of parsed.result.valueBlock.value) {
    if (!(item instanceof asn1js.Sequence)) continue;
    const [oidEl, second, third] = item.valueBlock.value;
    if (!(oidEl instanceof asn1js.ObjectIdentifier)) continue;
    const oid = oidEl.valueBlock.toString();
    const keyId = third instanceof asn1js.Integer ? third.valueBlock.valueDec : undefined;
    if (oid.startsWith(CA_ECDH) && CA_SUITES[oid.slice(CA_ECDH.length)] && !info) info = { protocol: oid, suite: CA_SUITES[oid.slice(CA_ECDH.length)]!, keyId };
    if (oid === PK_ECDH && second instanceof asn1js.Sequence) keys.set(keyId, createPublicKey({ key: Buffer.from(second.toBER(false)), format: 'der', type: 'spki' }));
  }
  if (!info) return undefined;
  const publicKey = keys.get(info.keyId) ?? (keys.size === 1 ? [...keys.values()][0] : undefined);
  if (!publicKey) throw new Error('DG14 has no chip authentication public key');
  return { ...info, publicKey };
}

/** The uncompressed point of an EC public key (04 ‖ X ‖ Y) and its curve name. */
export function ecPoint(key: KeyObject): { curve: string; point: Buffer } {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (!curve) throw new Error('chip authentication key is not a named-curve EC key');
  // JWK export knows no brainpool curves: take the point from the SubjectPublicKeyInfo.
  const spki = asn1js.fromBER(Uint8Array.from(key.export({ format: 'der', type: 'spki' })));
  const bits = spki.result instanceof asn1js.Sequence ? spki.result.valueBlock.value[1] : undefined;
  if (!(bits instanceof asn1js.BitString)) throw new Error('malformed public key');
  return { curve, point: Buffer.from(bits.valueBlock.valueHexView) };
}

/**
 * Chip Authentication, terminal side: an ephemeral key on the chip key's curve; 3DES
 * chips take it in MSE:Set KAT, AES chips in MSE:Set AT + GENERAL AUTHENTICATE. Both sides
 * then restart secure messaging with keys from the shared secret; the proof is that the
 * chip answers the next protected command correctly. Any failure is CHIP_CLONED.
 */
export async function chipAuthentication(ch: ChipChannel, info: ChipAuthInfo): Promise<void> {
  let curve: string;
  let chipPoint: Buffer;
  try {
    ({ curve, point: chipPoint } = ecPoint(info.publicKey));
  } catch (err) {
    throw new PassportError('CHIP_CLONED', `DG14: ${(err as Error).message}`);
  }
  const eph = createECDH(curve);
  eph.generateKeys();
  const ephPub = eph.getPublicKey(null, 'uncompressed');
  const shared = eph.computeSecret(chipPoint);
  const keyRef = info.keyId === undefined ? Buffer.alloc(0) : tlv(0x84, Buffer.from([info.keyId]));
  if (info.suite === '3DES') {
    await ch.expectOk({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa6, data: Buffer.concat([tlv(0x91, ephPub), keyRef]) }, 'CHIP_CLONED', 'MSE:Set KAT');
  } else {
    await ch.expectOk({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa4, data: Buffer.concat([tlv(0x80, oidBytes(info.protocol)), keyRef]) }, 'CHIP_CLONED', 'MSE:Set AT (CA)');
    await ch.expectOk({ cla: 0, ins: 0x86, p1: 0, p2: 0, data: tlv(0x7c, tlv(0x80, ephPub)), le: 256 }, 'CHIP_CLONED', 'GENERAL AUTHENTICATE (CA)');
  }
  ch.secure(new SmSession(info.suite, kdf(shared, KDF_ENC, info.suite), kdf(shared, KDF_MAC, info.suite)));
  try {
    await ch.expectOk({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([0x01, 0x1e]) }, 'CHIP_CLONED', 'SELECT after CA');
  } catch (err) {
    throw new PassportError('CHIP_CLONED', 'chip did not continue with the Chip Authentication keys', { cause: err });
  }
}

/** Encodes DG14 (test passports): a ChipAuthenticationInfo with its public key, and/or a PACEInfo. */
export function encodeDg14(ca: { protocol: string; spki: Buffer; keyId?: number } | undefined, pace?: { oid: string; parameterId: number }): Buffer {
  const id = ca?.keyId === undefined ? [] : [new asn1js.Integer({ value: ca.keyId })];
  const infos = [
    ...(ca
      ? [
          new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: ca.protocol }), new asn1js.Integer({ value: 1 }), ...id] }),
          new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: PK_ECDH }), asn1js.fromBER(Uint8Array.from(ca.spki)).result, ...id] }),
        ]
      : []),
    ...(pace ? [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: pace.oid }), new asn1js.Integer({ value: 2 }), new asn1js.Integer({ value: pace.parameterId })] })] : []),
  ];
  return tlv(0x6e, Buffer.from(new asn1js.Set({ value: infos }).toBER(false)));
}

/** PACE variants the chip's signed DG14 says it supports (to catch a stripped EF.CardAccess). */
export function dg14PaceInfos(bytes: Uint8Array): PaceInfo[] {
  return parseCardAccess(readTlv(bytes).value);
}
