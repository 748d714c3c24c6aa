import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { hashName } from './signature.ts';
import { readTlv } from '../../icao/tlv.ts';

export const OID_LDS_SECURITY_OBJECT = '2.23.136.1.1.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';

/** EF.SOD taken apart: what Passive Authentication checks, in the order it checks it. */
export interface Sod {
  /** Node's name of the LDSSecurityObject's hash algorithm. */
  hashAlgorithm: string;
  dgHashes: Map<number, Buffer>;
  signer: pkijs.SignerInfo;
  /** The signed attributes as signed (DER SET). */
  signedAttrs: Buffer;
  /** The Document Signer certificate that signed, from the SOD's certificate set. */
  ds: X509Certificate;
  dsPkijs: pkijs.Certificate;
  /** signingTime when the signer included it. */
  signingTime: Date | undefined;
  /** Whether the messageDigest and contentType attributes match the content. */
  attributesMatch: boolean;
}

function der(x: { toSchema(): asn1js.AsnType }): Buffer {
  return Buffer.from(x.toSchema().toBER(false));
}

function attr(si: pkijs.SignerInfo, oid: string): asn1js.AsnType | undefined {
  return si.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
}

/** Parses the LDSSecurityObject: { version, hashAlgorithm, SEQUENCE OF { dg number, hash } }. */
export function parseLdsSecurityObject(bytes: Uint8Array): { hashAlgorithm: string; dgHashes: Map<number, Buffer> } {
  const p = asn1js.fromBER(Uint8Array.from(bytes));
  if (p.offset === -1 || !(p.result instanceof asn1js.Sequence)) throw new Error('LDSSecurityObject is not a SEQUENCE');
  const [, algEl, hashesEl] = p.result.valueBlock.value;
  if (!(algEl instanceof asn1js.Sequence) || !(hashesEl instanceof asn1js.Sequence)) throw new Error('LDSSecurityObject malformed');
  const hashAlgorithm = hashName(new pkijs.AlgorithmIdentifier({ schema: algEl }).algorithmId);
  const dgHashes = new Map<number, Buffer>();
  for (const e of hashesEl.valueBlock.value) {
    const [n, h] = (e as asn1js.Sequence).valueBlock?.value ?? [];
    if (!(n instanceof asn1js.Integer) || !(h instanceof asn1js.OctetString)) throw new Error('DataGroupHash malformed');
    dgHashes.set(n.valueBlock.valueDec, Buffer.from(h.valueBlock.valueHexView));
  }
  return { hashAlgorithm, dgHashes };
}

/** Takes EF.SOD (tag 77 around a CMS ContentInfo) apart; throws on anything malformed. */
export function parseSod(efSod: Uint8Array): Sod {
  const outer = readTlv(efSod);
  if (outer.tag !== 0x77) throw new Error('EF.SOD does not start with tag 77');
  const ci = pkijs.ContentInfo.fromBER(outer.value);
  if (ci.contentType !== OID_SIGNED_DATA) throw new Error('EF.SOD is not SignedData');
  const sd = new pkijs.SignedData({ schema: ci.content });
  if (sd.encapContentInfo.eContentType !== OID_LDS_SECURITY_OBJECT) throw new Error('SignedData does not hold an LDSSecurityObject');
  const eContent = sd.encapContentInfo.eContent;
  if (!eContent) throw new Error('SignedData has no content');
  const content = Buffer.from(eContent.getValue());
  const { hashAlgorithm, dgHashes } = parseLdsSecurityObject(content);
  if (sd.signerInfos.length !== 1) throw new Error('EF.SOD must have exactly one signer');
  const signer = sd.signerInfos[0]!;
  if (!signer.signedAttrs) throw new Error('signer has no signed attributes');
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const dsPkijs = certs.find((c) => {
    if (signer.sid instanceof pkijs.IssuerAndSerialNumber) {
      return c.issuer.isEqual(signer.sid.issuer) && c.serialNumber.isEqual(signer.sid.serialNumber);
    }
    const ski = c.extensions?.find((e) => e.extnID === '2.5.29.14');
    return ski !== undefined && Buffer.from((ski.parsedValue as asn1js.OctetString).valueBlock.valueHexView).equals(Buffer.from((signer.sid as asn1js.OctetString).valueBlock.valueHexView));
  });
  if (!dsPkijs) throw new Error('no Document Signer certificate for the signer');
  const signedAttrs = Buffer.from(signer.signedAttrs.encodedValue);
  signedAttrs[0] = 0x31; // signed as a SET, stored as [0] IMPLICIT
  const digest = createHash(hashName(signer.digestAlgorithm.algorithmId)).update(content).digest();
  const md = attr(signer, OID_MESSAGE_DIGEST);
  const ct = attr(signer, OID_CONTENT_TYPE);
  const attributesMatch =
    md instanceof asn1js.OctetString &&
    Buffer.from(md.valueBlock.valueHexView).equals(digest) &&
    ct instanceof asn1js.ObjectIdentifier &&
    ct.valueBlock.toString() === OID_LDS_SECURITY_OBJECT;
  const st = attr(signer, OID_SIGNING_TIME);
  const signingTime = st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime ? st.toDate() : undefined;
  return { hashAlgorithm, dgHashes, signer, signedAttrs, ds: new X509Certificate(der(dsPkijs)), dsPkijs, signingTime, attributesMatch };
}
