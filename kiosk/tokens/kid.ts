import { EgateError } from '../errors.ts';

/**
 * Key ids are short texts (`HKIMMD-2026-1`, `fleet-2026-11`) carried as the bstr of their
 * UTF-8 bytes. Stores index keys by the hex of those bytes, so a kid read from a token is
 * looked up without decoding attacker bytes as text.
 */
export const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function checkKid(kid: string): string {
  if (!KID_PATTERN.test(kid)) throw new EgateError('KID_INVALID', 'a key id is 1–64 letters, digits, ".", "_" or "-"');
  return kid;
}

export function kidBytes(kid: string): Uint8Array {
  return new Uint8Array(Buffer.from(checkKid(kid), 'utf8'));
}

export function kidIndex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
