import sharp from 'sharp';
import { EgateError } from '../errors.ts';

/** NO_PRINT: nothing but the lid on the scan. PRINT_TOO_SMALL: what lies there is smaller than a passport photo could be. */
export class PhotoCropError extends EgateError {}

/** The scanner lid is near white; a print's pixels differ from it by more than this (grey levels). */
const LID_DIFF = 12;
/** A row or column belongs to the print when at least this fraction of its pixels do. */
const LINE_FRACTION = 0.04;
/** Smallest print accepted, mm (ICAO photos are 35×45; a print under 25 mm is not one). */
const MIN_PRINT_MM = 25;

/**
 * Cuts the print out of a flatbed scan: the bounding box of the rows and columns that differ
 * from the lid, found on a 75-dpi copy, cut from the full scan with a 1 mm inset (the print's
 * edge and its shadow are not part of the portrait). A print laid askew is cut square; its tilt
 * is then the compliance check's roll, which tells the applicant to lay it straight.
 */
export async function cropPrint(scanPng: Uint8Array, dpi: number): Promise<{ jpeg: Uint8Array; box: { x: number; y: number; width: number; height: number } }> {
  const meta = await sharp(scanPng).metadata();
  const W = meta.width!, H = meta.height!;
  const f = Math.min(1, 75 / dpi);
  const { data, info } = await sharp(scanPng).greyscale().resize(Math.max(1, Math.round(W * f)), Math.max(1, Math.round(H * f)), { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const w = info.width, h = info.height;
  // The lid's grey: the brightest common level (the 95th percentile of the small copy).
  const sorted = Uint8Array.from(data).sort();
  const lid = sorted[Math.floor(sorted.length * 0.95)]!;
  const rows = new Uint32Array(h);
  const cols = new Uint32Array(w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (Math.abs(data[y * w + x]! - lid) > LID_DIFF) { rows[y]!++; cols[x]!++; }
  const span = (counts: Uint32Array, len: number): [number, number] | null => {
    let a = -1, b = -1;
    for (let i = 0; i < counts.length; i++) if (counts[i]! >= LINE_FRACTION * len) { if (a < 0) a = i; b = i; }
    return a < 0 ? null : [a, b + 1];
  };
  const ys = span(rows, w);
  const xs = span(cols, h);
  if (!ys || !xs) throw new PhotoCropError('NO_PRINT', 'no print found on the scanner glass');
  const mm = (px: number): number => (px / f / dpi) * 25.4;
  if (mm(xs[1] - xs[0]) < MIN_PRINT_MM || mm(ys[1] - ys[0]) < MIN_PRINT_MM) {
    throw new PhotoCropError('PRINT_TOO_SMALL', `the print is ${mm(xs[1] - xs[0]).toFixed(0)}×${mm(ys[1] - ys[0]).toFixed(0)} mm`);
  }
  const inset = Math.round(dpi / 25.4);
  const left = Math.min(W - 1, Math.round(xs[0] / f) + inset);
  const top = Math.min(H - 1, Math.round(ys[0] / f) + inset);
  const width = Math.max(1, Math.min(W - left, Math.round((xs[1] - xs[0]) / f) - 2 * inset));
  const height = Math.max(1, Math.min(H - top, Math.round((ys[1] - ys[0]) / f) - 2 * inset));
  const jpeg = new Uint8Array(await sharp(scanPng).extract({ left, top, width, height }).jpeg({ quality: 95 }).toBuffer());
  return { jpeg, box: { x: left, y: top, width, height } };
}
