import { PassportError } from '../../icao/errors.ts';

/**
 * The size a JPEG 2000 face declares, read from its codestream's SIZ marker (ISO/IEC
 * 15444-1 A.5.1) before anything is decoded. A chip's DG2 is signed by its issuer, not
 * vetted: 36 KB of valid JPEG 2000 can declare 8000×8000 and take a gigabyte to decode.
 */
export interface Jp2Size {
  width: number;
  height: number;
  components: number;
  /** Bit depth of the first component. */
  bits: number;
}

/** The largest face the gate decodes: ICAO portraits are well under a megapixel. */
export const MAX_FACE_SIDE = 4096;
export const MAX_FACE_PIXELS = 4_000_000;

function unusable(msg: string): never {
  throw new PassportError('REFERENCE_UNUSABLE', `JPEG 2000 face: ${msg}`);
}

/** The codestream inside a JP2 file (its `jp2c` box), or the bytes themselves for a raw J2K codestream. */
function codestream(b: Buffer): Buffer {
  if (b.length >= 4 && b.readUInt32BE(0) === 0xff4fff51) return b;
  let off = 0;
  while (off + 8 <= b.length) {
    let len = b.readUInt32BE(off);
    const type = b.toString('latin1', off + 4, off + 8);
    let header = 8;
    if (len === 1) {
      if (off + 16 > b.length) break;
      const big = b.readBigUInt64BE(off + 8);
      if (big > BigInt(b.length)) unusable('box longer than the file');
      len = Number(big);
      header = 16;
    } else if (len === 0) len = b.length - off;
    if (len < header || off + len > b.length) unusable('malformed box');
    if (type === 'jp2c') return b.subarray(off + header, off + len);
    off += len;
  }
  return unusable('no codestream box');
}

/** Reads SIZ: the image and component sizes; throws REFERENCE_UNUSABLE on a header that is not one. */
export function readJp2Size(bytes: Buffer): Jp2Size {
  const c = codestream(bytes);
  // SOC (FF4F) is followed directly by SIZ (FF51): Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, tile sizes, Csiz, components.
  if (c.length < 4 + 38 || c.readUInt32BE(0) !== 0xff4fff51) unusable('codestream does not start with SOC, SIZ');
  const lsiz = c.readUInt16BE(4);
  const xsiz = c.readUInt32BE(8);
  const ysiz = c.readUInt32BE(12);
  const xo = c.readUInt32BE(16);
  const yo = c.readUInt32BE(20);
  const components = c.readUInt16BE(40);
  if (components < 1 || lsiz !== 38 + 3 * components || c.length < 4 + lsiz) unusable('SIZ marker malformed');
  if (xo >= xsiz || yo >= ysiz) unusable('image offset outside the image');
  return { width: xsiz - xo, height: ysiz - yo, components, bits: (c[42]! & 0x7f) + 1 };
}

/**
 * Refuses, before decoding, a JPEG 2000 face larger than the gate decodes, in a sample
 * format it does not take, or whose size disagrees with its facial record.
 */
export function checkJp2Face(bytes: Buffer, record: { width: number; height: number }): Jp2Size {
  const s = readJp2Size(bytes);
  if (s.width > MAX_FACE_SIDE || s.height > MAX_FACE_SIDE || s.width * s.height > MAX_FACE_PIXELS) {
    unusable(`declares ${s.width}×${s.height}, more than the gate decodes (${MAX_FACE_PIXELS} pixels, ${MAX_FACE_SIDE} a side)`);
  }
  if (s.components !== 1 && s.components !== 3) unusable(`declares ${s.components} components`);
  if (s.bits !== 8) unusable(`declares ${s.bits}-bit samples`);
  if (s.width !== record.width || s.height !== record.height) unusable('declared size disagrees with its record');
  return s;
}
