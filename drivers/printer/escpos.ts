import iconv from 'iconv-lite';

/**
 * The ESC/POS commands the kiosk's slips use, as pure byte builders (Epson TM-T88 family,
 * which the Chinese-market models follow). Chinese text is sent in the printer's Chinese
 * character mode (FS &) as GB18030, which holds both Traditional and Simplified characters;
 * a printer without that mode is not fit for the kiosk.
 */
const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;

export type Align = 'left' | 'centre' | 'right';

export const initialise = (): Uint8Array => Uint8Array.of(ESC, 0x40);
export const align = (a: Align): Uint8Array => Uint8Array.of(ESC, 0x61, a === 'left' ? 0 : a === 'centre' ? 1 : 2);
export const bold = (on: boolean): Uint8Array => Uint8Array.of(ESC, 0x45, on ? 1 : 0);
/** Character size, 1–8 times in each direction (GS ! n). */
export function size(width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || width > 8 || height < 1 || height > 8) {
    throw new RangeError('character size is 1..8 in each direction');
  }
  return Uint8Array.of(GS, 0x21, ((width - 1) << 4) | (height - 1));
}
export const feed = (lines: number): Uint8Array => Uint8Array.of(ESC, 0x64, Math.max(0, Math.min(255, lines)));
/** Feed to the cutter and cut, leaving one point uncut so the slip does not fall (GS V 66 n). */
export const partialCut = (): Uint8Array => Uint8Array.of(GS, 0x56, 0x42, 0);

/**
 * One line of text. ASCII goes out as is; anything else switches to Chinese mode for the
 * line and back. Control characters are refused: a slip's text never drives the printer.
 */
export function line(text: string): Uint8Array {
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new RangeError('control characters in slip text');
  if (/^[\u0020-\u007e]*$/.test(text)) return concat([Buffer.from(text, 'latin1'), Uint8Array.of(0x0a)]);
  return concat([Uint8Array.of(FS, 0x26), iconv.encode(text, 'gb18030'), Uint8Array.of(FS, 0x2e, 0x0a)]);
}

/** A 1-bit image: `dark(x, y)` true prints a dot. */
export interface Bitmap {
  readonly width: number;
  readonly height: number;
  dark(x: number, y: number): boolean;
}

/** Raster bit image (GS v 0, normal density): rows of ceil(width/8) bytes, MSB leftmost. */
export function raster(img: Bitmap): Uint8Array {
  const bytesPerRow = Math.ceil(img.width / 8);
  if (bytesPerRow > 0xffff || img.height > 0xffff || img.height < 1) throw new RangeError('raster image too large or empty');
  const out = new Uint8Array(8 + bytesPerRow * img.height);
  out.set([GS, 0x76, 0x30, 0, bytesPerRow & 0xff, bytesPerRow >> 8, img.height & 0xff, img.height >> 8]);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.dark(x, y)) out[8 + y * bytesPerRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
