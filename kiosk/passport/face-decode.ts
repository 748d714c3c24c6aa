import { createRequire } from 'node:module';
import sharp from 'sharp';
import { PassportError } from '../../icao/errors.ts';
import type { FaceImage } from './face-image.ts';
import { checkJp2Face, MAX_FACE_PIXELS } from './jp2-header.ts';

/** A decoded face image: 8-bit interleaved pixels (1 or 3 channels). */
export interface DecodedFace {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

interface OpenJpegModule {
  J2KDecoder: new () => {
    getEncodedBuffer(n: number): Uint8Array;
    decode(): void;
    getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
    getDecodedBuffer(): Uint8Array;
    delete(): void;
  };
}

let openjpeg: Promise<OpenJpegModule> | undefined;

/** The WebAssembly build (the default export is a slow asm.js build, epassport.md). Loaded once. */
function loadOpenJpeg(): Promise<OpenJpegModule> {
  if (!openjpeg) {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (opts: object) => Promise<OpenJpegModule>;
    // The codec prints progress lines on stdout; the gate's stdout is its log.
    openjpeg = factory({ print: () => {}, printErr: () => {} });
  }
  return openjpeg;
}

async function decodeJpeg2000(bytes: Buffer): Promise<DecodedFace> {
  const m = await loadOpenJpeg();
  const d = new m.J2KDecoder();
  try {
    d.getEncodedBuffer(bytes.length).set(bytes);
    d.decode();
    const info = d.getFrameInfo();
    if (info.bitsPerSample !== 8 || (info.componentCount !== 1 && info.componentCount !== 3)) throw new Error('unsupported sample format');
    return { width: info.width, height: info.height, channels: info.componentCount, pixels: Buffer.from(d.getDecodedBuffer()) };
  } finally {
    d.delete();
  }
}

async function decodeJpeg(bytes: Buffer): Promise<DecodedFace> {
  // libjpeg reads the size from the header: larger faces are refused before any pixel is decoded.
  const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_FACE_PIXELS }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, pixels: data };
}

/** Decodes DG2's face to pixels; a corrupt image, or one whose size disagrees with its record, is REFERENCE_UNUSABLE. */
export async function decodeFace(face: FaceImage): Promise<DecodedFace> {
  // Sized from the header first: a small signed file may declare a gigabyte of pixels.
  if (face.format !== 'jpeg') checkJp2Face(face.bytes, face);
  let out: DecodedFace;
  try {
    out = face.format === 'jpeg' ? await decodeJpeg(face.bytes) : await decodeJpeg2000(face.bytes);
  } catch (err) {
    throw new PassportError('REFERENCE_UNUSABLE', `face image does not decode (${face.format})`, { cause: err });
  }
  if (out.width !== face.width || out.height !== face.height) throw new PassportError('REFERENCE_UNUSABLE', 'face image size disagrees with its record');
  return out;
}

/** Warms the JPEG 2000 decoder so the first traveller does not pay its start-up. */
export async function warmFaceDecoders(): Promise<void> {
  await loadOpenJpeg();
}
