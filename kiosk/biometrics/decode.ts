import sharp, { type Metadata } from 'sharp';
import { FaceInputError } from './errors.ts';
import type { ImageInput, RawFrame } from './types.ts';

/** An RGB24 image in memory: what every later stage works on. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** Input pixels per pixel here (> 1 when a large photo was shrunk on decoding). */
  scale?: number;
}

/** Encoded files above this many bytes are refused before decoding. */
export const MAX_FILE_BYTES = 40 * 1024 * 1024;
/** Images above this many pixels are refused (decompression bombs). */
export const MAX_PIXELS = 80_000_000;
/**
 * Decoded photos are shrunk so their longer side is at most this: detection runs at 320×240
 * and the face is resampled to 112×112, so more pixels only cost time (JPEG shrink-on-load).
 */
export const MAX_SIDE = 2048;

sharp.cache(false);
sharp.concurrency(1);

export function isRawFrame(input: ImageInput): input is RawFrame {
  return !(input instanceof Uint8Array);
}

/** Checks a raw frame's shape without copying it. */
export function frameImage(frame: RawFrame): RgbImage {
  const { width, height, channels, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || channels !== 3 || !(data instanceof Uint8Array)) {
    throw new FaceInputError('FRAME_INVALID', `raw frame must be RGB24 of at least 16×16 (got ${width}×${height}×${channels})`);
  }
  if (width * height > MAX_PIXELS) throw new FaceInputError('IMAGE_TOO_LARGE', `raw frame of ${width}×${height} exceeds ${MAX_PIXELS} pixels`);
  if (data.length !== width * height * 3) {
    throw new FaceInputError('FRAME_INVALID', `raw frame ${width}×${height} needs ${width * height * 3} bytes, got ${data.length}`);
  }
  return { width, height, data };
}

/**
 * Decodes any format libvips reads, applies EXIF orientation, flattens alpha on white,
 * turns greyscale into RGB and shrinks very large photos. Every failure becomes a
 * FaceInputError with a code; nothing else escapes.
 */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  if (bytes.length === 0) throw new FaceInputError('IMAGE_EMPTY', 'image is empty');
  if (bytes.length > MAX_FILE_BYTES) throw new FaceInputError('IMAGE_TOO_LARGE', `image file of ${bytes.length} bytes exceeds ${MAX_FILE_BYTES}`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch (err) {
    throw new FaceInputError('IMAGE_UNSUPPORTED', `not a readable image (${bytes.length} bytes)`, { cause: err });
  }
  if (!meta.width || !meta.height) throw new FaceInputError('IMAGE_CORRUPT', 'image has no dimensions');
  if (meta.width * meta.height > MAX_PIXELS) {
    throw new FaceInputError('IMAGE_TOO_LARGE', `image of ${meta.width}×${meta.height} exceeds ${MAX_PIXELS} pixels`);
  }
  try {
    // failOn 'error' refuses truncated files instead of decoding grey garbage from them.
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error', pages: 1 })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width < 16 || info.height < 16) throw new FaceInputError('IMAGE_UNSUPPORTED', `image of ${info.width}×${info.height} is too small for a face`);
    const uprightWidth = (meta.orientation ?? 1) >= 5 ? meta.height : meta.width;
    return { width: info.width, height: info.height, data: toRgb(new Uint8Array(data.buffer, data.byteOffset, data.length), info.channels), scale: uprightWidth / info.width };
  } catch (err) {
    if (err instanceof FaceInputError) throw err;
    throw new FaceInputError('IMAGE_CORRUPT', `image could not be decoded (${meta.format ?? 'unknown'} ${meta.width}×${meta.height})`, { cause: err });
  }
}

function toRgb(data: Uint8Array, channels: number): Uint8Array {
  if (channels === 3) return data;
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = data[i * channels]!;
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? data[i * channels + 1]! : v;
    out[i * 3 + 2] = channels >= 3 ? data[i * channels + 2]! : v;
  }
  return out;
}

export async function toRgbImage(input: ImageInput): Promise<RgbImage> {
  if (isRawFrame(input)) return frameImage(input);
  return decodeImage(input);
}
