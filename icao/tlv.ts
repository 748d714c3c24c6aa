/**
 * BER-TLV as ICAO 9303 and ISO 7816-4 use it: multi-byte tags (first byte's low five bits
 * all set) and definite lengths up to four bytes. Every read is bounds-checked; a chip's
 * bytes are attacker-controlled, so malformed input throws instead of reading past the end.
 */
export interface Tlv {
  tag: number;
  /** Offset of the tag's first byte. */
  offset: number;
  /** Offset of the value inside the buffer that was parsed. */
  start: number;
  length: number;
  value: Buffer;
  /** Offset just past the value. */
  end: number;
}

export class TlvError extends Error {}

/** Reads the tag and length at `offset`; the value may extend past `buf` (for headers). */
export function readHeader(buf: Uint8Array, offset = 0): { tag: number; start: number; length: number } {
  let i = offset;
  const byte = (): number => {
    if (i >= buf.length) throw new TlvError('truncated TLV header');
    return buf[i++]!;
  };
  let tag = byte();
  if ((tag & 0x1f) === 0x1f) {
    let b: number;
    let n = 0;
    do {
      b = byte();
      tag = tag * 256 + b;
      if (++n > 3) throw new TlvError('tag too long');
    } while (b & 0x80);
  }
  let length = byte();
  if (length === 0x80 || length === 0xff) throw new TlvError('indefinite or invalid length');
  if (length > 0x80) {
    const n = length & 0x7f;
    if (n > 4) throw new TlvError('length too long');
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + byte();
  }
  return { tag, start: i, length };
}

/** Parses one TLV at `offset`; throws if the value runs past the buffer. */
export function readTlv(buf: Uint8Array, offset = 0): Tlv {
  const h = readHeader(buf, offset);
  const end = h.start + h.length;
  if (end > buf.length) throw new TlvError('TLV value runs past the end');
  return { ...h, offset, value: Buffer.from(buf.subarray(h.start, end)), end };
}

/** Parses consecutive TLVs filling `buf` exactly. */
export function readAll(buf: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < buf.length) {
    const t = readTlv(buf, off);
    out.push(t);
    off = t.end;
  }
  return out;
}

/** The first TLV with `tag` among the children of `buf`, or undefined. */
export function findTag(buf: Uint8Array, tag: number): Tlv | undefined {
  return readAll(buf).find((t) => t.tag === tag);
}

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  if (n < 0x10000) return Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.from([0x83, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

export function encodeTag(tag: number): Buffer {
  const bytes: number[] = [];
  for (let t = tag; t > 0; t = Math.floor(t / 256)) bytes.unshift(t & 0xff);
  return Buffer.from(bytes.length ? bytes : [0]);
}

export function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([encodeTag(tag), encodeLength(value.length), value]);
}
