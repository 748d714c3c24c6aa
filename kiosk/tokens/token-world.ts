import { randomBytes, type KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { encode as base45Encode } from '@digitalbazaar/base45';
import { decodeStrict, encodeCbor, Tag } from './cbor.ts';
import { encryptToFleet } from './cose-encrypt.ts';
import { generateP256, type KeyPair } from './cose-key.ts';
import { issueCredential, makePresentation, presentationToQr, trustListEntry } from './issuer.ts';
import { kidBytes } from './kid.ts';
import { toQrText } from './qr-text.ts';
import type { TokenChannel, TokenReason } from './reasons.ts';
import type { RevocationListJson } from './revocation-list.ts';
import type { TrustListJson } from './trust-list.ts';

/**
 * A complete little token world: an issuer the gate trusts, a withdrawn and a rogue issuer,
 * a fleet key, a phone, enrolled holders and a revocation list. It makes every valid and
 * invalid token of tokens.md §4 so tests, the simulator and the demo share one source.
 */
export interface TokenWorld {
  nowMs: number;
  service: string;
  issuer: { kid: string; keys: KeyPair };
  withdrawnIssuer: { kid: string; keys: KeyPair };
  rogueIssuer: { kid: string; keys: KeyPair };
  fleet: { kid: string; keys: KeyPair };
  device: KeyPair;
  trustList: TrustListJson;
  revocations: RevocationListJson;
  /** Holders with an enrolled reference face. */
  enrolled: string[];
}

export const HOLDER = 'R0012345';
export const REVOKED_HOLDER = 'R0099999';
export const UNENROLLED_HOLDER = 'R0077777';
export const REVOKED_CTI = new Uint8Array(16).fill(0xee);
const DAY_S = 86_400;

export function createTokenWorld(opts: { nowMs: number; service?: string; fleetKid?: string }): TokenWorld {
  const year = (n: number): Date => new Date(opts.nowMs + n * 365 * DAY_S * 1000);
  const issuer = { kid: 'HKIMMD-2026-1', keys: generateP256() };
  const withdrawnIssuer = { kid: 'HKIMMD-2024-1', keys: generateP256() };
  return {
    nowMs: opts.nowMs,
    service: opts.service ?? 'ECH',
    issuer,
    withdrawnIssuer,
    rogueIssuer: { kid: 'HKIMMD-2026-9', keys: generateP256() },
    fleet: { kid: opts.fleetKid ?? 'fleet-2026-11', keys: generateP256() },
    device: generateP256(),
    trustList: {
      [issuer.kid]: trustListEntry(issuer.keys.publicKey, year(-1), year(5)),
      [withdrawnIssuer.kid]: trustListEntry(withdrawnIssuer.keys.publicKey, year(-3), year(2), true),
    },
    revocations: { cti: [Buffer.from(REVOKED_CTI).toString('hex')], sub: [REVOKED_HOLDER] },
    enrolled: [HOLDER, REVOKED_HOLDER, 'R0012346'],
  };
}

export interface CredentialOptions {
  sub?: string;
  services?: string[];
  expS?: number;
  cti?: Uint8Array;
  issuer?: { kid: string; keys: KeyPair };
  /** true (default for mobile): cnf = the world's device key. */
  mobile?: boolean;
}

export function worldCredential(w: TokenWorld, o: CredentialOptions = {}): Uint8Array {
  const nowS = Math.floor(w.nowMs / 1000);
  const issuer = o.issuer ?? w.issuer;
  return issueCredential({
    issuerKey: issuer.keys.privateKey,
    issuerKid: issuer.kid,
    sub: o.sub ?? HOLDER,
    iat: nowS - 30 * DAY_S,
    exp: o.expS ?? nowS + 300 * DAY_S,
    services: o.services ?? ['ECH', 'VEH'],
    ...(o.cti ? { cti: o.cti } : {}),
    ...(o.mobile === false ? {} : { devicePublicKey: w.device.publicKey }),
  });
}

export interface QrOptions extends CredentialOptions {
  credential?: Uint8Array;
  iatS?: number;
  nonce?: Uint8Array;
  deviceKey?: KeyObject;
  fleet?: { kid: string; publicKey: KeyObject };
}

/** The QR text a phone shows: credential → presentation → COSE_Encrypt → HKMQ1 text. */
export function worldQr(w: TokenWorld, o: QrOptions = {}): string {
  return presentationToQr(worldPresentation(w, o), o.fleet?.publicKey ?? w.fleet.keys.publicKey, o.fleet?.kid ?? w.fleet.kid);
}

export function worldPresentation(w: TokenWorld, o: QrOptions = {}): Uint8Array {
  return makePresentation({
    credential: o.credential ?? worldCredential(w, o),
    devicePrivateKey: o.deviceKey ?? w.device.privateKey,
    iat: o.iatS ?? Math.floor(w.nowMs / 1000),
    ...(o.nonce ? { nonce: o.nonce } : {}),
  });
}

/** Every token the tool can make, each with the one reason the verifier must give ('OK' for valid ones). */
export const VARIANTS = {
  'valid-mobile': 'OK',
  'valid-card': 'OK',
  garbage: 'MALFORMED',
  oversize: 'MALFORMED',
  'bad-base45': 'MALFORMED',
  'bad-zlib': 'MALFORMED',
  'not-cose': 'MALFORMED',
  'card-garbage': 'MALFORMED',
  'unsupported-version': 'UNSUPPORTED_VERSION',
  'unknown-fleet-key': 'KEY_UNKNOWN',
  'tampered-ciphertext': 'DECRYPT_FAILED',
  'untrusted-issuer': 'ISSUER_UNTRUSTED',
  'withdrawn-issuer': 'ISSUER_UNTRUSTED',
  'bad-credential-signature': 'BAD_SIGNATURE',
  'expired-credential': 'CREDENTIAL_EXPIRED',
  'bad-presentation-signature': 'BAD_SIGNATURE',
  'card-via-qr': 'BAD_SIGNATURE',
  'mobile-via-card': 'BAD_SIGNATURE',
  'stale-presentation': 'PRESENTATION_EXPIRED',
  'future-presentation': 'PRESENTATION_EXPIRED',
  replayed: 'REPLAY',
  'revoked-cti': 'REVOKED',
  'revoked-sub': 'REVOKED',
  'not-eligible': 'NOT_ELIGIBLE',
  'not-enrolled': 'NOT_ENROLLED',
} as const satisfies Record<string, TokenReason | 'OK'>;

export type VariantName = keyof typeof VARIANTS;

export interface Variant {
  name: VariantName;
  channel: TokenChannel;
  /** QR text for the scanner, credential bytes for the card reader. */
  input: string | Uint8Array;
  expect: TokenReason | 'OK';
  /** Present `input` once before the checked presentation (the first one passes). */
  presentTwice?: boolean;
}

export function makeVariant(w: TokenWorld, name: VariantName): Variant {
  const v = (channel: TokenChannel, input: string | Uint8Array, presentTwice = false): Variant => ({
    name, channel, input, expect: VARIANTS[name], ...(presentTwice ? { presentTwice } : {}),
  });
  const nowS = Math.floor(w.nowMs / 1000);
  switch (name) {
    case 'valid-mobile': return v('qr', worldQr(w));
    case 'valid-card': return v('card', worldCredential(w, { mobile: false }));
    case 'garbage': return v('qr', 'HKMQ1:' + base45Encode(new Uint8Array(randomBytes(40))));
    case 'oversize': return v('qr', 'HKMQ1:' + 'A'.repeat(4200));
    case 'bad-base45': return v('qr', 'HKMQ1:' + 'GGW'.repeat(10));
    case 'bad-zlib': return v('qr', 'HKMQ1:' + base45Encode(new Uint8Array(randomBytes(60))));
    case 'not-cose': return v('qr', 'HKMQ1:' + base45Encode(new Uint8Array(deflateSync(encodeCbor(new Map([[1, 'hello']]))))));
    case 'card-garbage': return v('card', new Uint8Array(randomBytes(200)));
    case 'unsupported-version': return v('qr', worldQr(w).replace(/^HKMQ1:/, 'HKMQ2:'));
    case 'unknown-fleet-key': {
      const other = generateP256();
      return v('qr', worldQr(w, { fleet: { kid: 'fleet-2020-01', publicKey: other.publicKey } }));
    }
    case 'tampered-ciphertext': return v('qr', tamperCiphertext(w));
    case 'untrusted-issuer': return v('qr', worldQr(w, { issuer: w.rogueIssuer }));
    case 'withdrawn-issuer': return v('qr', worldQr(w, { issuer: w.withdrawnIssuer }));
    case 'bad-credential-signature': {
      const cred = worldCredential(w);
      cred[cred.length - 1] = (cred[cred.length - 1] ?? 0) ^ 0x01;
      return v('qr', worldQr(w, { credential: cred }));
    }
    case 'expired-credential': return v('qr', worldQr(w, { expS: nowS - 3600 }));
    case 'bad-presentation-signature': return v('qr', worldQr(w, { deviceKey: generateP256().privateKey }));
    case 'card-via-qr': return v('qr', worldQr(w, { credential: worldCredential(w, { mobile: false }) }));
    case 'mobile-via-card': return v('card', worldCredential(w));
    case 'stale-presentation': return v('qr', worldQr(w, { iatS: nowS - 120 }));
    case 'future-presentation': return v('qr', worldQr(w, { iatS: nowS + 120 }));
    case 'replayed': return v('qr', worldQr(w), true);
    case 'revoked-cti': return v('qr', worldQr(w, { cti: REVOKED_CTI }));
    case 'revoked-sub': return v('qr', worldQr(w, { sub: REVOKED_HOLDER }));
    case 'not-eligible': return v('qr', worldQr(w, { services: w.service === 'VEH' ? ['ECH'] : ['VEH'] }));
    case 'not-enrolled': return v('qr', worldQr(w, { sub: UNENROLLED_HOLDER }));
  }
}

/** A valid COSE_Encrypt with one ciphertext bit flipped, re-wrapped: only the GCM tag can notice. */
function tamperCiphertext(w: TokenWorld): string {
  const enc = encryptToFleet(worldPresentation(w), w.fleet.keys.publicKey, kidBytes(w.fleet.kid));
  const tagged = decodeStrict(enc, 'COSE_Encrypt') as Tag;
  const parts = tagged.value as unknown[];
  const ct = new Uint8Array(parts[2] as Uint8Array);
  ct[5] = (ct[5] ?? 0) ^ 0x80;
  parts[2] = ct;
  return toQrText(encodeCbor(new Tag(parts, 96)));
}
