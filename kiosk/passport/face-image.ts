import { PassportError } from '../../icao/errors.ts';
import { findTag, readTlv } from '../../icao/tlv.ts';

/**
 * DG2's face: the biometric information group template (7F61) holds one or more
 * biometric information templates (7F60), each with an ISO/IEC 19794-5 facial record
 * in 5F2E (or 7F2E). The gate takes the first face; the image is JPEG or JPEG 2000.
 */
export type FaceFormat = 'jpeg' | 'jp2' | 'j2k';

export interface FaceImage {
  format: FaceFormat;
  /** Width and height as the record states them (the decoder confirms them). */
  width: number;
  height: number;
  bytes: Buffer;
}

function sniff(b: Buffer): FaceFormat | undefined {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length > 12 && b.subarray(0, 12).equals(Buffer.from('0000000c6a5020200d0a870a', 'hex'))) return 'jp2';
  if (b.length > 4 && b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) return 'j2k';
  return undefined;
}

function fail(msg: string): never {
  throw new PassportError('REFERENCE_UNUSABLE', `DG2: ${msg}`);
}

/** Parses DG2 down to the first face image; any structural problem is REFERENCE_UNUSABLE. */
export function parseDg2(dg2: Uint8Array): FaceImage {
  let record: Buffer;
  try {
    const outer = readTlv(dg2);
    if (outer.tag !== 0x75) fail('does not start with tag 75');
    const group = findTag(outer.value, 0x7f61);
    if (!group) fail('no biometric information group');
    const bit = findTag(group.value, 0x7f60);
    if (!bit) fail('no biometric information template');
    const bdb = findTag(bit.value, 0x5f2e) ?? findTag(bit.value, 0x7f2e);
    if (!bdb) fail('no biometric data block');
    record = bdb.value;
  } catch (err) {
    if (err instanceof PassportError) throw err;
    fail('malformed TLV');
  }
  return parseFacialRecord(record);
}

/** ISO/IEC 19794-5:2005 facial record: general header, facial information, feature points, image information, image. */
export function parseFacialRecord(r: Buffer): FaceImage {
  if (r.length < 14 + 20 + 12) fail('facial record too short');
  if (r.toString('latin1', 0, 4) !== 'FAC\0') fail('not a facial record');
  const faces = r.readUInt16BE(12);
  if (faces < 1) fail('record holds no face');
  let off = 14;
  const blockLength = r.readUInt32BE(off);
  const featurePoints = r.readUInt16BE(off + 4);
  off += 20 + featurePoints * 8;
  if (off + 12 > r.length || blockLength > r.length - 14) fail('facial record truncated');
  const dataType = r[off + 1]!;
  const width = r.readUInt16BE(off + 2);
  const height = r.readUInt16BE(off + 4);
  const imageEnd = 14 + blockLength;
  const bytes = Buffer.from(r.subarray(off + 12, imageEnd));
  const format = sniff(bytes);
  if (!format) fail('image is neither JPEG nor JPEG 2000');
  if ((dataType === 0 && format !== 'jpeg') || (dataType === 1 && format === 'jpeg')) fail('image type disagrees with its bytes');
  if (width === 0 || height === 0) fail('image has no size');
  return { format, width, height, bytes };
}
