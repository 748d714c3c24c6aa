import type { VisaReason } from '../../kiosk/visa/reasons.ts';
import { SEAL_MAX_BYTES, type Holder, type Seal } from '../../kiosk/visa/seal-schema.ts';
import { sealText, signSeal, visaData, type VisaDetails } from './issue.ts';
import type { VisaPki } from './pki.ts';

/** Every kind of seal the tool makes, and the verifier's verdict on it ('VALID' or the reason). */
export const SEAL_KINDS = {
  valid: 'VALID',
  'valid-es384': 'VALID',
  'valid-es512': 'VALID',
  'valid-multiple-entry': 'VALID',
  'too-large': 'SEAL_TOO_LARGE',
  'not-json': 'SEAL_NOT_JSON',
  'schema-unknown-key': 'SEAL_SCHEMA',
  'schema-no-signature': 'SEAL_SCHEMA',
  'wrong-type': 'HEADER_TYPE',
  'wrong-version': 'HEADER_VERSION',
  'unknown-issuer': 'HEADER_ISSUER_UNKNOWN',
  'cert-malformed': 'CERT_MALFORMED',
  'cert-untrusted': 'CERT_UNTRUSTED',
  'cert-expired': 'CERT_NOT_VALID_NOW',
  'cert-no-eku': 'CERT_KEY_USAGE',
  'cert-other-country': 'CERT_COUNTRY_MISMATCH',
  'alg-rs256': 'ALG_UNSUPPORTED',
  'alg-none': 'ALG_UNSUPPORTED',
  'alg-curve-mismatch': 'BAD_SIGNATURE',
  forged: 'BAD_SIGNATURE',
  'not-yet-valid': 'VISA_NOT_YET_VALID',
  expired: 'VISA_EXPIRED',
  revoked: 'VISA_REVOKED',
  'other-passport': 'HOLDER_MISMATCH',
} as const satisfies Record<string, VisaReason | 'VALID'>;
export type SealKind = keyof typeof SEAL_KINDS;

/** The visa number the revocation list of tests and demos names (kind `revoked`). */
export const REVOKED_PREFIX = 'R';

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Someone else: what a seal "for another passport" names. */
const OTHER: Holder = { n: 'IMPOSTER<<IVAN', dob: '1970-01-01', i: 'X9999999', nat: 'UTO' };

/**
 * Makes a seal of `kind` for `holder`, valid around `today` (YYYY-MM-DD in the issuing
 * state). The text is what goes into the QR. `number` names the visa (kind `revoked`
 * gets an R-prefixed number; the caller puts it on the revocation list).
 */
export function makeSeal(kind: SealKind, pki: VisaPki, opts: { holder: Holder; today: string; number: string }): { text: string; number: string } {
  const number = kind === 'revoked' ? `${REVOKED_PREFIX}${opts.number}`.slice(0, 20) : opts.number;
  const base: VisaDetails = { number, holder: opts.holder, validFrom: addDays(opts.today, -10), validUntil: addDays(opts.today, 80) };
  const seal = (d: Partial<VisaDetails>, o: Parameters<typeof signSeal>[2] = {}): Seal => signSeal(visaData({ ...base, ...d }), pki, o);
  const text = (s: unknown): { text: string; number: string } => ({ text: sealText(s), number });
  switch (kind) {
    case 'valid':
    case 'revoked':
      return text(seal({}));
    case 'valid-es384':
      return text(seal({}, { alg: 'ES384' }));
    case 'valid-es512':
      return text(seal({}, { alg: 'ES512' }));
    case 'valid-multiple-entry':
      return text(seal({ entries: 'M', stayDays: 90, type: 'MULTIPLE VISIT' }));
    case 'too-large': {
      // Signed and otherwise genuine, but padded with JSON whitespace just past the size limit (still fits a QR code).
      const t = sealText(seal({}));
      return { text: t.replace('{', `{${' '.repeat(Math.max(1, SEAL_MAX_BYTES + 16 - t.length))}`), number };
    }
    case 'not-json':
      return { text: sealText(seal({})).slice(0, -7), number };
    case 'schema-unknown-key': {
      const s = seal({});
      return text({ ...s, data: { ...s.data, msg: { ...s.data.msg, photo: 'AAAA' } } });
    }
    case 'schema-no-signature':
      return text({ data: seal({}).data });
    case 'wrong-type': {
      const d = visaData(base);
      return text(signSeal({ ...d, hdr: { ...d.hdr, t: 'icao.vacc' } }, pki));
    }
    case 'wrong-version': {
      const d = visaData(base);
      return text(signSeal({ ...d, hdr: { ...d.hdr, v: 2 } }, pki));
    }
    case 'unknown-issuer': {
      const d = visaData(base);
      return text(signSeal({ ...d, hdr: { ...d.hdr, is: 'UTO' } }, pki));
    }
    case 'cert-malformed': {
      const s = seal({});
      return text({ ...s, sig: { ...s.sig, cer: Buffer.from('not a certificate at all').toString('base64url') } });
    }
    case 'cert-untrusted':
      return text(seal({}, { signer: 'signer-rogue' }));
    case 'cert-expired':
      return text(seal({}, { signer: 'signer-expired' }));
    case 'cert-no-eku':
      return text(seal({}, { signer: 'signer-no-eku' }));
    case 'cert-other-country':
      return text(seal({}, { signer: 'signer-other-country' }));
    case 'alg-rs256':
      return text(seal({}, { alg: 'RS256', signWith: 'ES256' }));
    case 'alg-none': {
      const s = seal({});
      return text({ ...s, sig: { ...s.sig, alg: 'none', sigvl: 'AA' } });
    }
    case 'alg-curve-mismatch':
      // Says ES384 (SHA-384) but its certificate's key is on P-256, not P-384.
      return text(seal({}, { alg: 'ES384', signWith: 'ES384', signer: 'signer' }));
    case 'forged': {
      // A genuine seal whose validity was extended by hand after signing.
      const s = seal({});
      return text({ ...s, data: { ...s.data, msg: { ...s.data.msg, vu: addDays(base.validUntil, 365) } } });
    }
    case 'not-yet-valid':
      return text(seal({ validFrom: addDays(opts.today, 5), validUntil: addDays(opts.today, 95) }));
    case 'expired':
      return text(seal({ validFrom: addDays(opts.today, -100), validUntil: addDays(opts.today, -1) }));
    case 'other-passport':
      return text(seal({ holder: OTHER }));
  }
}
