import { createHash, randomBytes, verify as verifySignature, type KeyObject } from 'node:crypto';
import { asMap, asText, asUint, decodeStrict, expectLabels } from '../tokens/cbor.ts';
import type { TokenAccepted, TokenReason } from '../tokens/reasons.ts';
import { shortHash } from '../tokens/reasons.ts';
import type { TokenVerifier } from '../tokens/verifier.ts';

/**
 * The checks of smart-id.md ("Checks, in order") on what a card reader read from a smart
 * identity card. Pure of any transport: the PC/SC driver and the simulated twin hand the
 * same files and the same chip-authentication function.
 */

/** The three files of the HKID application (FIDs 0101, 0102, 0103). */
export interface CardFiles {
  readonly cred: Uint8Array;
  readonly photo: Uint8Array;
  readonly card: Uint8Array;
}

/** INTERNAL AUTHENTICATE on the chip: 32-byte challenge in, 64-byte r‖s out; rejects if the card is gone. */
export type ChipAuthenticate = (challenge: Uint8Array) => Promise<Uint8Array>;

export const CARD_REASONS = ['CARD_UNREADABLE', 'CARD_PHOTO_MISMATCH', 'CARD_NOT_GENUINE'] as const;
export type CardReason = (typeof CARD_REASONS)[number];
export type SmartIdReason = CardReason | TokenReason;

/** Size limits of check 1; EF.CRED's is the verifier's input bound (tokens.md). */
export const CARD_FILE_LIMITS = { cred: 4096, photo: 32 * 1024, card: 256 } as const;

/** EF.CARD: printed on the card, not secret, still kept out of serialisers (non-enumerable number). */
export interface CardData {
  readonly number: string;
  readonly version: number;
  readonly issued: string;
}

export interface SmartIdAccepted {
  ok: true;
  token: TokenAccepted;
  card: CardData;
  /** EF.PHOTO, verified against the credential's hash: only now may it be decoded. */
  photo: Uint8Array;
}

export interface SmartIdRejected {
  ok: false;
  reason: SmartIdReason;
  /** A fixed description of the failed check; never bytes from the card. */
  detail: string;
}

export type SmartIdResult = SmartIdAccepted | SmartIdRejected;

/** The domain separator the chip signs under (smart-id.md). */
export const CA_DOMAIN = Buffer.from('HKID-CA-1', 'ascii');

/** A fresh challenge: 16 random bytes ‖ the first 16 bytes of SHA-256(gate id). */
export function makeChallenge(gateId: string, random: (n: number) => Uint8Array = (n) => randomBytes(n)): Uint8Array {
  const nonce = random(16);
  return Buffer.concat([nonce, createHash('sha256').update(gateId, 'utf8').digest().subarray(0, 16)]);
}

/** Verifies the chip's ECDSA P-256 r‖s over SHA-256("HKID-CA-1" ‖ challenge). */
export function chipSignatureValid(key: KeyObject, challenge: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verifySignature('sha256', Buffer.concat([CA_DOMAIN, challenge]), { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** Parses EF.CARD `{1: number, 2: version, 3: issue date}`; throws on anything else. */
export function parseCardFile(bytes: Uint8Array): CardData {
  const m = asMap(decodeStrict(bytes, 'EF.CARD'), 'EF.CARD');
  expectLabels(m, [1, 2, 3], [], 'EF.CARD');
  const issued = asText(m.get(3), 'issue date', 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issued)) throw new Error('EF.CARD issue date is not YYYY-MM-DD');
  const card = { version: asUint(m.get(2), 'card version'), issued } as CardData;
  return Object.defineProperty(card, 'number', { value: asText(m.get(1), 'card number', 16), enumerable: false });
}

const no = (reason: SmartIdReason, detail: string): SmartIdRejected => ({ ok: false, reason, detail });

export interface SmartIdCheckInput {
  /** undefined: the read itself failed (application absent, file missing, card pulled). */
  files: CardFiles | undefined;
  authenticate: ChipAuthenticate;
  gateId: string;
  verifier: Pick<TokenVerifier, 'verify'>;
  random?: (n: number) => Uint8Array;
}

/** Runs checks 1-4 in order and returns the first failing one's reason. Never throws. */
export async function checkSmartIdCard(input: SmartIdCheckInput): Promise<SmartIdResult> {
  const f = input.files;
  // 1. Application present, files readable, sizes within limits.
  if (!f) return no('CARD_UNREADABLE', 'the card application or one of its files could not be read');
  for (const k of ['cred', 'photo', 'card'] as const) {
    if (f[k].length === 0 || f[k].length > CARD_FILE_LIMITS[k]) return no('CARD_UNREADABLE', `EF.${k.toUpperCase()} empty or over its size limit`);
  }
  let card: CardData;
  try {
    card = parseCardFile(f.card);
  } catch {
    return no('CARD_UNREADABLE', 'EF.CARD is not a complete card-data map');
  }
  // 2. tokens.md §4 on the credential, the chip key allowed in cnf.
  const token = await input.verifier.verify(f.cred, 'card', { chipBound: true });
  if (!token.ok) return no(token.reason, token.detail ?? 'credential refused');
  // 3. The photo hash, before anything looks inside the photo.
  const want = token.photoHash;
  const got = createHash('sha256').update(f.photo).digest();
  if (!want || !got.equals(want)) return no('CARD_PHOTO_MISMATCH', `EF.PHOTO does not match the credential (sha256 ${shortHash(f.photo)})`);
  // 4. Chip authentication with a fresh challenge, verified with the signature-checked cnf key.
  if (!token.cnf) return no('CARD_NOT_GENUINE', 'the credential names no chip key');
  const challenge = makeChallenge(input.gateId, input.random);
  let signature: Uint8Array;
  try {
    signature = await input.authenticate(challenge);
  } catch {
    return no('CARD_UNREADABLE', 'the card did not answer INTERNAL AUTHENTICATE (pulled?)');
  }
  if (!chipSignatureValid(token.cnf, challenge, signature)) return no('CARD_NOT_GENUINE', 'the chip could not prove the credential’s key');
  return { ok: true, token, card, photo: f.photo };
}
