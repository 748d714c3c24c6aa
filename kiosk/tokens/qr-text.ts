import { deflateSync, inflateSync } from 'node:zlib';
import { decode as base45Decode, encode as base45Encode } from '@digitalbazaar/base45';
import { reject } from './reasons.ts';

/** The only version this gate reads; "HKMQ2:" and later are UNSUPPORTED_VERSION. */
export const QR_VERSION = 1;
export const QR_PREFIX = `HKMQ${QR_VERSION}:`;
/** A zlib bomb stops here: a real COSE_Encrypt is under 1 KiB. */
export const MAX_INFLATED_BYTES = 16 * 1024;

const PREFIX = /^HKMQ([0-9]{1,3}):/;

/** QR text: "HKMQ1:" + base45(zlib_deflate(COSE_Encrypt bytes)), as the EU DCC container does. */
export function toQrText(coseEncrypt: Uint8Array): string {
  // Copy: @digitalbazaar/base45 reads input.buffer from offset 0, so a pooled Buffer view would be misread.
  return QR_PREFIX + base45Encode(new Uint8Array(deflateSync(coseEncrypt, { level: 9 })));
}

/**
 * Splits the prefix. A text without the `HKMQ<n>:` shape is MALFORMED; a well-formed
 * prefix of another version is UNSUPPORTED_VERSION (its body is not judged: its format
 * is by definition unknown to this gate).
 */
export function readQrPrefix(text: string): string {
  const m = PREFIX.exec(text);
  if (!m) reject('MALFORMED', 'QR text: HKMQ prefix missing');
  // The version is compared as written: "HKMQ01:" is not "HKMQ1:" (a lenient Number() read of
  // it would accept a prefix no issuer writes).
  if (m[1] !== String(QR_VERSION)) reject(/^[1-9][0-9]*$/.test(m[1] ?? '') ? 'UNSUPPORTED_VERSION' : 'MALFORMED', 'QR text: prefix version not supported');
  return text.slice(m[0].length);
}

/** base45 (RFC 9285, strict) then zlib inflate (RFC 1950, adler32 checked, output capped). */
export function unpackQrBody(body: string): Uint8Array {
  let compressed: Uint8Array;
  try {
    compressed = base45Decode(body);
  } catch {
    reject('MALFORMED', 'QR text: not base45');
  }
  try {
    return new Uint8Array(inflateSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES }));
  } catch {
    reject('MALFORMED', 'QR text: not zlib data or too large');
  }
}
