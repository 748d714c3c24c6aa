import { Decoder, Encoder, Tag } from 'cbor-x';
import { reject } from './reasons.ts';

/**
 * cbor-x configured for COSE: JS Maps become CBOR maps with integer keys (never records or
 * objects), Uint8Arrays become plain bstr (no typed-array tag 64), map headers are sized
 * to their entries. Insertion order of a Map is kept, so the bytes we sign are the bytes
 * we send.
 */
const encoder = new Encoder({
  mapsAsObjects: false,
  useRecords: false,
  tagUint8Array: false,
  variableMapSize: true,
});
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

export { Tag };
export type CborMap = Map<unknown, unknown>;

export function encodeCbor(value: unknown): Uint8Array {
  const out = encoder.encode(value);
  // cbor-x may hand back a view into its shared buffer; copy so later encodes cannot change it.
  return new Uint8Array(out);
}

/**
 * Decodes exactly one CBOR item and demands that it re-encodes to the same bytes. This one
 * rule rejects duplicate map keys, non-preferred integer and length encodings, indefinite
 * lengths and trailing bytes, so no two parsers can read one token two ways.
 */
export function decodeStrict(bytes: Uint8Array, what: string): unknown {
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch {
    reject('MALFORMED', `${what}: not CBOR`);
  }
  let again: Uint8Array;
  try {
    again = encoder.encode(value);
  } catch {
    reject('MALFORMED', `${what}: unsupported CBOR item`);
  }
  if (!Buffer.from(again).equals(Buffer.from(bytes))) reject('MALFORMED', `${what}: not in preferred (deterministic) encoding`);
  return value;
}

export function asTagged(value: unknown, tag: number, what: string): unknown {
  if (!(value instanceof Tag) || value.tag !== tag) reject('MALFORMED', `${what}: CBOR tag ${tag} expected`);
  return value.value;
}

export function asArray(value: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length) reject('MALFORMED', `${what}: array of ${length} expected`);
  return value;
}

export function asMap(value: unknown, what: string): CborMap {
  if (!(value instanceof Map)) reject('MALFORMED', `${what}: map expected`);
  return value;
}

export function asBytes(value: unknown, what: string, length?: { min?: number; max?: number; exact?: number }): Uint8Array {
  if (!(value instanceof Uint8Array)) reject('MALFORMED', `${what}: bstr expected`);
  const n = value.length;
  if (length?.exact !== undefined && n !== length.exact) reject('MALFORMED', `${what}: ${length.exact} bytes expected`);
  if (length?.min !== undefined && n < length.min) reject('MALFORMED', `${what}: too short`);
  if (length?.max !== undefined && n > length.max) reject('MALFORMED', `${what}: too long`);
  return value;
}

export function asText(value: unknown, what: string, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) reject('MALFORMED', `${what}: text expected`);
  return value;
}

/** Integers as CWT uses them: non-negative seconds that fit in a safe JS integer. */
export function asUint(value: unknown, what: string): number {
  const n = typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) reject('MALFORMED', `${what}: unsigned integer expected`);
  return n;
}

/** Checks that a map has exactly the labels named (required ones present, nothing else). */
export function expectLabels(map: CborMap, required: readonly unknown[], optional: readonly unknown[], what: string): void {
  for (const label of required) if (!map.has(label)) reject('MALFORMED', `${what}: missing label ${String(label)}`);
  for (const label of map.keys()) {
    if (!required.includes(label) && !optional.includes(label)) reject('MALFORMED', `${what}: unexpected label`);
  }
}
