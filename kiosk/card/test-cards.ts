import { createHash, sign, type KeyObject } from 'node:crypto';
import { encodeCbor } from '../tokens/cbor.ts';
import { generateP256, type KeyPair } from '../tokens/cose-key.ts';
import { issueCredential } from '../tokens/issuer.ts';
import type { TokenReason } from '../tokens/reasons.ts';
import { HOLDER, REVOKED_CTI, type TokenWorld } from '../tokens/token-world.ts';
import { CA_DOMAIN, type CardFiles, type CardReason } from './smart-id-check.ts';

/**
 * The issuing side of smart-id.md for tests, the simulator and demos (a gate never issues):
 * personalises a card (files + chip key) from a token world's issuer, and makes every test
 * card kind of the contract with the one reason a gate must give it.
 */
export interface TestCard {
  files: CardFiles;
  /** The chip's private key: lives only in the (emulated) chip. */
  chipKey: KeyObject;
}

export const CARD_KINDS = {
  valid: 'OK',
  expired: 'CREDENTIAL_EXPIRED',
  revoked: 'REVOKED',
  'forged-issuer': 'ISSUER_UNTRUSTED',
  'photo-swapped': 'CARD_PHOTO_MISMATCH',
  cloned: 'CARD_NOT_GENUINE',
  truncated: 'CARD_UNREADABLE',
} as const satisfies Record<string, TokenReason | CardReason | 'OK'>;

export type CardKind = keyof typeof CARD_KINDS;

/** The chip's answer to INTERNAL AUTHENTICATE: ECDSA P-256 r‖s over SHA-256("HKID-CA-1" ‖ challenge). */
export function chipSign(chipKey: KeyObject, challenge: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha256', Buffer.concat([CA_DOMAIN, challenge]), { key: chipKey, dsaEncoding: 'ieee-p1363' }));
}

export function encodeCardFile(c: { number: string; version: number; issued: string }): Uint8Array {
  return encodeCbor(new Map<number, unknown>([[1, c.number], [2, c.version], [3, c.issued]]));
}

export interface PersonaliseOptions {
  photo: Uint8Array;
  sub?: string;
  number?: string;
  expS?: number;
  cti?: Uint8Array;
  issuer?: { kid: string; keys: KeyPair };
  chip?: KeyPair;
  services?: string[];
}

const DAY_S = 86_400;

/** A genuine card: a fresh chip key, the credential's cnf naming it, claim -70002 = SHA-256(photo). */
export function personaliseCard(w: TokenWorld, o: PersonaliseOptions): TestCard & { chip: KeyPair } {
  const chip = o.chip ?? generateP256();
  const nowS = Math.floor(w.nowMs / 1000);
  const issuer = o.issuer ?? w.issuer;
  const cred = issueCredential({
    issuerKey: issuer.keys.privateKey,
    issuerKid: issuer.kid,
    sub: o.sub ?? HOLDER,
    iat: nowS - 30 * DAY_S,
    exp: o.expS ?? nowS + 3650 * DAY_S,
    services: o.services ?? ['ECH', 'VEH'],
    ...(o.cti ? { cti: o.cti } : {}),
    devicePublicKey: chip.publicKey,
    photoHash: new Uint8Array(createHash('sha256').update(o.photo).digest()),
  });
  const issued = new Date(w.nowMs - 30 * DAY_S * 1000).toISOString().slice(0, 10);
  const card = encodeCardFile({ number: o.number ?? 'Z683365(5)', version: 2, issued });
  return { files: { cred, photo: o.photo, card }, chipKey: chip.privateKey, chip };
}

/** One card of each kind. `photo` and `otherPhoto` are two different portraits (records as in DG2). */
export function makeTestCard(w: TokenWorld, kind: CardKind, photo: Uint8Array, otherPhoto: Uint8Array): TestCard {
  const nowS = Math.floor(w.nowMs / 1000);
  switch (kind) {
    case 'valid': return personaliseCard(w, { photo });
    case 'expired': return personaliseCard(w, { photo, expS: nowS - DAY_S });
    case 'revoked': return personaliseCard(w, { photo, cti: REVOKED_CTI });
    case 'forged-issuer': return personaliseCard(w, { photo, issuer: w.rogueIssuer });
    case 'photo-swapped': {
      const c = personaliseCard(w, { photo });
      return { ...c, files: { ...c.files, photo: otherPhoto } };
    }
    case 'cloned': {
      // A genuine card's credential and photo written onto a blank chip with its own key.
      const genuine = personaliseCard(w, { photo });
      return { files: genuine.files, chipKey: generateP256().privateKey };
    }
    case 'truncated': {
      // Personalisation interrupted: every file stops half way.
      const c = personaliseCard(w, { photo });
      const half = (b: Uint8Array) => b.slice(0, Math.floor(b.length / 2));
      return { files: { cred: half(c.files.cred), photo: half(c.files.photo), card: half(c.files.card) }, chipKey: c.chipKey };
    }
  }
}
