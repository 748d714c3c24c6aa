import { sign } from 'node:crypto';
import { ALGORITHMS, signedBytes, type VisaAlgorithm } from '../../kiosk/visa/signature.ts';
import type { Seal, VisaMessage } from '../../kiosk/visa/seal-schema.ts';
import type { SignerName, VisaPki } from './pki.ts';

/** The department's issuing state (header `is`). */
export const ISSUING_STATE = 'HKG';

/** Which signer key signs with which algorithm. */
const SIGNER_OF: Record<VisaAlgorithm, SignerName> = { ES256: 'signer', ES384: 'signer-p384', ES512: 'signer-p521' };

/**
 * Signs a seal the VDS-NC way: ECDSA over the JCS-canonical `data`, r‖s, base64url, with the
 * signer's certificate carried in `cer`. `alg` may name anything (the invalid kinds lie).
 */
export function signSeal(data: Seal['data'], pki: VisaPki, opts: { signer?: SignerName; alg?: string; signWith?: VisaAlgorithm } = {}): Seal {
  const signWith = opts.signWith ?? ((opts.alg && opts.alg in ALGORITHMS ? opts.alg : 'ES256') as VisaAlgorithm);
  const s = pki.signers[opts.signer ?? SIGNER_OF[signWith]];
  const sig = sign(ALGORITHMS[signWith].hash, signedBytes(data), { key: s.keyPem, dsaEncoding: 'ieee-p1363' });
  return { data, sig: { alg: opts.alg ?? signWith, cer: s.certDer.toString('base64url'), sigvl: sig.toString('base64url') } };
}

/** The QR's text: the seal as compact JSON (the signature does not depend on it: JCS is recomputed). */
export function sealText(seal: unknown): string {
  return JSON.stringify(seal);
}

export interface VisaDetails {
  number: string;
  type?: string;
  holder: VisaMessage['pid'];
  validFrom: string;
  validUntil: string;
  entries?: VisaMessage['ne'];
  stayDays?: number;
  conditions?: string;
}

export function visaData(d: VisaDetails): Seal['data'] {
  const msg: VisaMessage = {
    vn: d.number,
    vt: d.type ?? 'VISIT',
    pid: d.holder,
    vf: d.validFrom,
    vu: d.validUntil,
    ne: d.entries ?? 1,
    dos: d.stayDays ?? 30,
    ...(d.conditions !== undefined ? { cond: d.conditions } : { cond: 'Employment not permitted' }),
  };
  return { hdr: { t: 'icao.visa', v: 1, is: ISSUING_STATE }, msg };
}
