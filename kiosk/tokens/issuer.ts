import { randomBytes, type KeyObject } from 'node:crypto';
import { encodeClaims, encodePresentationPayload, ISSUER_NAME } from './claims.ts';
import { encryptToFleet } from './cose-encrypt.ts';
import { signSign1 } from './cose-sign1.ts';
import { kidBytes } from './kid.ts';
import { toQrText } from './qr-text.ts';
import type { TrustListJson } from './trust-list.ts';

/**
 * The issuer and the phone, for tests, simulation and demos (the gate itself never issues).
 * Times are in seconds since the epoch, as CWT carries them.
 */
export interface CredentialSpec {
  issuerKey: KeyObject;
  issuerKid: string;
  sub: string;
  iat: number;
  exp: number;
  services: string[];
  /** 16 random bytes unless given. */
  cti?: Uint8Array;
  /** The holder's device public key: makes a mobile credential. Absent: a card credential. */
  devicePublicKey?: KeyObject;
  /** smart-id.md: SHA-256 of the card's EF.PHOTO (with the chip key as devicePublicKey). */
  photoHash?: Uint8Array;
  /** Defaults to "HKIMMD". */
  iss?: string;
}

export function issueCredential(spec: CredentialSpec): Uint8Array {
  const payload = encodeClaims({
    iss: spec.iss ?? ISSUER_NAME,
    sub: spec.sub,
    exp: spec.exp,
    iat: spec.iat,
    cti: spec.cti ?? new Uint8Array(randomBytes(16)),
    services: spec.services,
    ...(spec.devicePublicKey ? { cnf: spec.devicePublicKey } : {}),
    ...(spec.photoHash ? { photoHash: spec.photoHash } : {}),
  });
  return signSign1(spec.issuerKey, payload, kidBytes(spec.issuerKid));
}

export interface PresentationSpec {
  credential: Uint8Array;
  devicePrivateKey: KeyObject;
  iat: number;
  /** 16 random bytes unless given (give one to make a replay). */
  nonce?: Uint8Array;
}

/** The phone's COSE_Sign1 over `{1: credential, 2: iat, 3: nonce}`, signed by the device key. */
export function makePresentation(spec: PresentationSpec): Uint8Array {
  const payload = encodePresentationPayload({
    credential: spec.credential,
    iat: spec.iat,
    nonce: spec.nonce ?? new Uint8Array(randomBytes(16)),
  });
  return signSign1(spec.devicePrivateKey, payload);
}

/** Encrypts a presentation to a fleet key and wraps it as the QR text the phone shows. */
export function presentationToQr(presentation: Uint8Array, fleetPublicKey: KeyObject, fleetKid: string): string {
  return toQrText(encryptToFleet(presentation, fleetPublicKey, kidBytes(fleetKid)));
}

/** One trust list entry for an issuer public key. */
export function trustListEntry(publicKey: KeyObject, notBefore: Date, notAfter: Date, withdrawn = false): TrustListJson[string] {
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    jwk: { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) },
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    withdrawn,
  };
}
