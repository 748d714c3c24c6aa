/**
 * The e-passport chip stack's public surface for the gate (epassport.md). The gate calls
 * readAndVerifyPassport with the optical MRZ, a connected chip reader, the trust list
 * loaded at start-up and its clock; the result's reason is the journal's reason code.
 */
export { readAndVerifyPassport, DEFAULT_POLICY, type PassportPolicy, type PassportResult, type PassportStep, type ReadPassportInput } from './read-passport.ts';
export { TrustList, type Csca, type Crl } from './trust.ts';
export { PassportError, PASSPORT_REASONS, type PassportReason } from '../../icao/errors.ts';
export { parseTd3, isExpired, type Mrz } from '../../icao/mrz.ts';
export { warmFaceDecoders, type DecodedFace } from './face-decode.ts';
export type { FaceFormat } from './face-image.ts';
