import * as asn1js from 'asn1js';
import { brainpoolP256r1, brainpoolP384r1 } from '@noble/curves/misc.js';
import { p256, p384 } from '@noble/curves/nist.js';
import type { CipherSuite } from './crypto.ts';

/**
 * EF.CardAccess (Part 11 §9.2.1): a SET of SecurityInfos; the PACEInfos among them say
 * which PACE variants the chip offers. The gate speaks ECDH generic mapping on the
 * standardised curves below; other variants are listed but not chosen.
 */
export interface PaceInfo {
  oid: string;
  version: number;
  parameterId: number | undefined;
  mapping: 'GM' | 'IM' | 'CAM';
  agreement: 'DH' | 'ECDH';
  suite: CipherSuite;
}

const PACE_PREFIX = '0.4.0.127.0.7.2.2.4.';
const MAPPINGS: Record<string, [PaceInfo['agreement'], PaceInfo['mapping']]> = {
  '1': ['DH', 'GM'],
  '2': ['ECDH', 'GM'],
  '3': ['DH', 'IM'],
  '4': ['ECDH', 'IM'],
  '6': ['ECDH', 'CAM'],
};
const SUITES: Record<string, CipherSuite> = { '1': '3DES', '2': 'AES-128', '3': 'AES-192', '4': 'AES-256' };

/** The standardised domain parameters of Part 11 §9.5.1 that the gate supports. */
export const PACE_CURVES = {
  12: p256.Point,
  13: brainpoolP256r1.Point,
  15: p384.Point,
  16: brainpoolP384r1.Point,
} as const;

export type PaceCurve = (typeof PACE_CURVES)[keyof typeof PACE_CURVES];

export function paceCurve(parameterId: number | undefined): PaceCurve | undefined {
  return parameterId === undefined ? undefined : (PACE_CURVES as Record<number, PaceCurve>)[parameterId];
}

/** Parses EF.CardAccess; throws on bytes that are not a DER SET. Unknown infos are skipped. */
export function parseCardAccess(der: Uint8Array): PaceInfo[] {
  const parsed = asn1js.fromBER(Uint8Array.from(der));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Set)) throw new Error('EF.CardAccess is not a SET');
  const out: PaceInfo[] = [];
  for (const item of parsed.result.valueBlock.value) {
    if (!(item instanceof asn1js.Sequence)) continue;
    const [oidEl, versionEl, paramEl] = item.valueBlock.value;
    if (!(oidEl instanceof asn1js.ObjectIdentifier) || !(versionEl instanceof asn1js.Integer)) continue;
    const oid = oidEl.valueBlock.toString();
    if (!oid.startsWith(PACE_PREFIX)) continue;
    const [m, s] = oid.slice(PACE_PREFIX.length).split('.');
    const mapping = MAPPINGS[m ?? ''];
    const suite = SUITES[s ?? ''];
    if (!mapping || !suite) continue;
    out.push({
      oid,
      version: versionEl.valueBlock.valueDec,
      parameterId: paramEl instanceof asn1js.Integer ? paramEl.valueBlock.valueDec : undefined,
      agreement: mapping[0],
      mapping: mapping[1],
      suite,
    });
  }
  return out;
}

/** The first PACEInfo the gate can run (ECDH generic mapping on a supported curve). */
export function choosePace(infos: readonly PaceInfo[]): PaceInfo | undefined {
  return infos.find((i) => i.agreement === 'ECDH' && i.mapping === 'GM' && paceCurve(i.parameterId) !== undefined);
}

/** OID content bytes (without tag and length) for the MSE:Set AT and the public-key DO. */
export function oidBytes(oid: string): Buffer {
  const der = Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER(false));
  return der.subarray(2);
}

/** Encodes PACEInfos as EF.CardAccess (used by the simulated chip). */
export function encodeCardAccess(infos: readonly Pick<PaceInfo, 'oid' | 'version' | 'parameterId'>[]): Buffer {
  const set = new asn1js.Set({
    value: infos.map(
      (i) =>
        new asn1js.Sequence({
          value: [
            new asn1js.ObjectIdentifier({ value: i.oid }),
            new asn1js.Integer({ value: i.version }),
            ...(i.parameterId === undefined ? [] : [new asn1js.Integer({ value: i.parameterId })]),
          ],
        }),
    ),
  });
  return Buffer.from(set.toBER(false));
}
