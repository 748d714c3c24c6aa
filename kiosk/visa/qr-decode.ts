import { inflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';
import sharp from 'sharp';

// jsqr is a CommonJS bundle whose typings declare an ES default export: load it as what it is.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

/** Largest image decoded (pixels), and largest inflated PDF image stream: a hostile file cannot exhaust memory. */
const MAX_PIXELS = 25_000_000;
const MAX_PDF_IMAGES = 32;

/** The bytes a QR code carries, from RGBA pixels; undefined when no QR code is found. */
export function decodeQrPixels(rgba: Uint8ClampedArray, width: number, height: number): Buffer | undefined {
  if (width <= 0 || height <= 0 || width * height > MAX_PIXELS || rgba.length < width * height * 4) return undefined;
  const code = jsQR(rgba, width, height, { inversionAttempts: 'attemptBoth' });
  return code ? Buffer.from(code.binaryData) : undefined;
}

/** A photo or scan (PNG, JPEG, WebP…) of a QR code; undefined when the image holds none or is not an image. */
export async function decodeQrImage(bytes: Uint8Array): Promise<Buffer | undefined> {
  try {
    const img = sharp(bytes, { limitInputPixels: MAX_PIXELS }).rotate().ensureAlpha();
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    const found = decodeQrPixels(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height);
    if (found || Math.max(info.width, info.height) <= 1600) return found;
    // A phone photo of a page: the finder patterns are found more reliably at a moderate size.
    const small = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).rotate().resize(1600, 1600, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return decodeQrPixels(new Uint8ClampedArray(small.data.buffer, small.data.byteOffset, small.data.length), small.info.width, small.info.height);
  } catch {
    return undefined;
  }
}

function num(dict: PDFDict, key: string): number | undefined {
  const v = dict.lookup(PDFName.of(key));
  return v instanceof PDFNumber ? v.asNumber() : undefined;
}

/** An 8-bit RGB or grey Flate image XObject as RGBA pixels (the form pdf-lib and most generators write). */
function imageToRgba(stream: PDFRawStream): { rgba: Uint8ClampedArray; width: number; height: number } | undefined {
  const d = stream.dict;
  const width = num(d, 'Width') ?? 0;
  const height = num(d, 'Height') ?? 0;
  if (num(d, 'BitsPerComponent') !== 8 || width * height <= 0 || width * height > MAX_PIXELS) return undefined;
  if (d.lookup(PDFName.of('Filter'))?.toString() !== '/FlateDecode') return undefined;
  const cs = d.lookup(PDFName.of('ColorSpace'))?.toString();
  const channels = cs === '/DeviceRGB' ? 3 : cs === '/DeviceGray' ? 1 : 0;
  if (!channels) return undefined;
  const raw = inflateSync(stream.contents, { maxOutputLength: width * height * channels + 1024 });
  if (raw.length < width * height * channels) return undefined;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const o = i * channels;
    rgba[i * 4] = raw[o]!;
    rgba[i * 4 + 1] = raw[o + (channels === 3 ? 1 : 0)]!;
    rgba[i * 4 + 2] = raw[o + (channels === 3 ? 2 : 0)]!;
    rgba[i * 4 + 3] = 255;
  }
  return { rgba, width, height };
}

/**
 * The QR code of an e-Visa PDF, as the issuer tool prints it: the QR is an image XObject,
 * so its pixels are taken from the file itself (no rendering), and the first image that
 * decodes as a QR code wins. A scanned or photographed print is an image: decodeQrImage.
 */
export async function decodeQrPdf(bytes: Uint8Array): Promise<Buffer | undefined> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { ignoreEncryption: false, updateMetadata: false });
  } catch {
    return undefined;
  }
  let tried = 0;
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream) || obj.dict.lookup(PDFName.of('Subtype'))?.toString() !== '/Image') continue;
    if (++tried > MAX_PDF_IMAGES) break;
    try {
      const img = imageToRgba(obj);
      const found = img && decodeQrPixels(img.rgba, img.width, img.height);
      if (found) return found;
    } catch {
      /* a broken image stream: try the next one */
    }
  }
  return undefined;
}
