import { createHash, type X509Certificate } from 'node:crypto';
import { stateToAlpha2 } from '../../icao/country-codes.ts';
import { PassportError } from '../../icao/errors.ts';
import { verifySignature } from './signature.ts';
import { parseSod, type Sod } from './sod.ts';
import type { TrustList } from './trust.ts';

export interface PassiveAuthInput {
  efSod: Uint8Array;
  /** Every data group read from the chip, by number (DG1 and DG2 at least). */
  dataGroups: ReadonlyMap<number, Uint8Array>;
  /** The data groups EF.COM lists. */
  comGroups: readonly number[];
  /** DG1's MRZ lines and the optically read ones. */
  dg1Mrz: readonly [string, string];
  opticalMrz: readonly [string, string];
  trust: TrustList;
  /** When no signingTime is signed, validity is checked at this time. */
  now: Date;
  /** Reject a DS whose CSCA has no CRL loaded (default false: no CRL means not revoked). */
  requireCrl?: boolean;
}

export interface PassiveAuthResult {
  /** The Document Signer's country (two letters). */
  dsCountry: string;
  hashAlgorithm: string;
  signingTime: Date | undefined;
}

function countryOf(cert: X509Certificate): string | undefined {
  return /^C=([A-Z]{2})$/m.exec(cert.subject)?.[1];
}

function validAt(cert: X509Certificate, t: Date): boolean {
  return new Date(cert.validFrom) <= t && t <= new Date(cert.validTo);
}

/**
 * Passive Authentication, steps 7–10 of epassport.md, in that order; the first failure
 * throws its reason: PA_SIGNATURE (SOD unparsable or its signature does not verify with
 * the DS certificate inside), PA_CHAIN (DS not issued by a trusted CSCA, either not valid
 * at signing, DS revoked), PA_HASH (a data group's hash differs, or the SOD and EF.COM
 * disagree on the groups), PA_MISMATCH (DG1 differs from the optical MRZ, or the issuing
 * state is not the DS certificate's country).
 */
export function passiveAuthentication(input: PassiveAuthInput): PassiveAuthResult {
  let sod: Sod;
  try {
    sod = parseSod(input.efSod);
  } catch (err) {
    throw new PassportError('PA_SIGNATURE', `EF.SOD unusable: ${(err as Error).message}`, { cause: err });
  }
  let signatureOk = false;
  try {
    signatureOk =
      sod.attributesMatch &&
      verifySignature(sod.signer.signatureAlgorithm, sod.signer.digestAlgorithm.algorithmId, sod.ds.publicKey, sod.signedAttrs, sod.signer.signature.valueBlock.valueHexView);
  } catch (err) {
    throw new PassportError('PA_SIGNATURE', `EF.SOD signature unverifiable: ${(err as Error).message}`, { cause: err });
  }
  if (!signatureOk) throw new PassportError('PA_SIGNATURE', 'EF.SOD signature does not verify with its Document Signer');

  const at = sod.signingTime ?? input.now;
  const issuers = input.trust.issuersOf(sod.ds);
  if (issuers.length === 0) throw new PassportError('PA_CHAIN', 'Document Signer not issued by a trusted CSCA');
  if (!validAt(sod.ds, at)) throw new PassportError('PA_CHAIN', 'Document Signer not valid at signing');
  const csca = issuers.find((c) => validAt(c.cert, at));
  if (!csca) throw new PassportError('PA_CHAIN', 'CSCA not valid at signing');
  const revoked = input.trust.isRevoked(csca, sod.ds);
  if (revoked) throw new PassportError('PA_CHAIN', 'Document Signer is revoked');
  if (revoked === undefined && input.requireCrl) throw new PassportError('PA_CHAIN', 'no CRL for the CSCA');

  const sodGroups = [...sod.dgHashes.keys()].sort((a, b) => a - b);
  const comGroups = [...input.comGroups].sort((a, b) => a - b);
  if (sodGroups.join(',') !== comGroups.join(',')) throw new PassportError('PA_HASH', 'EF.COM and EF.SOD list different data groups');
  for (const [dg, bytes] of input.dataGroups) {
    const expected = sod.dgHashes.get(dg);
    if (!expected) throw new PassportError('PA_HASH', `DG${dg} is not in EF.SOD`);
    const actual = createHash(sod.hashAlgorithm).update(bytes).digest();
    if (!actual.equals(expected)) throw new PassportError('PA_HASH', `DG${dg} hash differs from EF.SOD`);
  }

  if (input.dg1Mrz[0] !== input.opticalMrz[0] || input.dg1Mrz[1] !== input.opticalMrz[1]) throw new PassportError('PA_MISMATCH', 'DG1 differs from the optical MRZ');
  const dsCountry = countryOf(sod.ds);
  const state = input.dg1Mrz[0].slice(2, 5).replace(/<+$/, '');
  if (!dsCountry || stateToAlpha2(state) !== dsCountry) throw new PassportError('PA_MISMATCH', 'issuing state is not the Document Signer country');
  return { dsCountry, hashAlgorithm: sod.hashAlgorithm, signingTime: sod.signingTime };
}
