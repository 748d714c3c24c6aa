import { constants, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Signature checks for EF.SOD, certificates and CRLs, all on node:crypto: WebCrypto (and
 * so pkijs' own verify) refuses EC keys with explicit curve parameters, which real
 * Document Signer certificates carry (epassport.md). pkijs and asn1js only parse.
 */
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const SIG: Record<string, { kind: 'ecdsa' | 'rsa'; hash?: string }> = {
  '1.2.840.10045.4.1': { kind: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { kind: 'ecdsa', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
  '1.2.840.10045.2.1': { kind: 'ecdsa' },
  '1.2.840.113549.1.1.1': { kind: 'rsa' },
  '1.2.840.113549.1.1.5': { kind: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { kind: 'rsa', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
};

const PSS = '1.2.840.113549.1.1.10';

/** Node's name for a digest algorithm OID; throws for one the gate does not accept. */
export function hashName(oid: string): string {
  const h = HASHES[oid];
  if (!h) throw new Error(`unsupported digest algorithm ${oid}`);
  return h;
}

/**
 * Verifies `signature` over `data` with `key`. `digestOid` supplies the hash when the
 * signature algorithm does not name one (rsaEncryption, id-ecPublicKey in CMS).
 * Returns false for a wrong signature; throws for an algorithm it does not know.
 */
export function verifySignature(alg: pkijs.AlgorithmIdentifier, digestOid: string | undefined, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const oid = alg.algorithmId;
  if (oid === PSS) {
    const params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams as asn1js.Sequence });
    const hash = hashName(params.hashAlgorithm.algorithmId);
    return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }, signature);
  }
  const s = SIG[oid];
  if (!s) throw new Error(`unsupported signature algorithm ${oid}`);
  const hash = s.hash ?? (digestOid ? hashName(digestOid) : undefined);
  if (!hash) throw new Error('signature algorithm names no digest');
  if (s.kind === 'ecdsa') return verify(hash, data, { key, dsaEncoding: 'der' }, signature);
  return verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
}
