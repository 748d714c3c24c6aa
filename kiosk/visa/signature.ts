import { verify, type X509Certificate } from 'node:crypto';
import canonicalize from 'canonicalize';
import { refuse } from './reasons.ts';
import type { Seal } from './seal-schema.ts';

/** The only signature algorithms accepted (VDS-NC: ECDSA), each with its hash, curve and r‖s length. */
export const ALGORITHMS = {
  ES256: { hash: 'sha256', curve: 'prime256v1', bytes: 64 },
  ES384: { hash: 'sha384', curve: 'secp384r1', bytes: 96 },
  ES512: { hash: 'sha512', curve: 'secp521r1', bytes: 132 },
} as const;
export type VisaAlgorithm = keyof typeof ALGORITHMS;

/**
 * The bytes a seal's signature covers: the `data` member (header and message) in the JSON
 * Canonicalization Scheme (RFC 8785), UTF-8. The issuer signs exactly this; the verifier
 * recomputes it from the parsed seal, so whitespace, key order or escapes in the QR text
 * cannot change what was signed.
 */
export function signedBytes(data: Seal['data']): Buffer {
  return Buffer.from(canonicalize(data) ?? '', 'utf8');
}

function fromB64url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

/**
 * The signature layer: `alg` is ES256, ES384 or ES512 (anything else, "none" and RSA
 * included, is refused), the signer's key is on that algorithm's curve, and `sigvl` is
 * a valid IEEE P1363 signature over signedBytes(data) with the signer's key.
 */
export function checkSignature(seal: Seal, signer: X509Certificate): void {
  const alg = ALGORITHMS[seal.sig.alg as VisaAlgorithm];
  if (!alg || !Object.hasOwn(ALGORITHMS, seal.sig.alg)) refuse('ALG_UNSUPPORTED', 'signature algorithm is not ES256, ES384 or ES512');
  const key = signer.publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== alg.curve) refuse('BAD_SIGNATURE', `signer key does not fit ${seal.sig.alg}`);
  const sig = fromB64url(seal.sig.sigvl);
  if (sig.length !== alg.bytes) refuse('BAD_SIGNATURE', 'signature has the wrong length');
  let good = false;
  try {
    good = verify(alg.hash, signedBytes(seal.data), { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    good = false;
  }
  if (!good) refuse('BAD_SIGNATURE', 'signature does not verify');
}
