import { DeviceError } from '../../core/errors.ts';

/** Scan settings. The area is measured from the top-left corner of the glass, in millimetres. */
export interface ScanRequest {
  /** Dots per inch (the passport photo kiosk scans at 300–600). */
  dpi: number;
  mode: 'color' | 'gray';
  area: { x: number; y: number; width: number; height: number };
}

/** One scan as the device produced it: a PNG. Applicant data: never log or journal it. */
export interface Scan {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
  /** Clock time (ms) when the scan completed. */
  readonly at: number;
}

/**
 * Codes: SCANNER_BUSY (a scan is already running; that scan is not disturbed),
 * SCANNER_UNAVAILABLE (the device cannot be opened or failed mid-scan), SCANNER_TIMEOUT (no
 * complete image within the timeout; the scan was aborted), SCANNER_CANCELLED (cancel() was
 * called), SCANNER_CLOSED (scan after close), SCANNER_BAD_IMAGE (the device sent something
 * that is not a whole image of the requested size), SCANNER_BAD_REQUEST (dpi or area out of range).
 */
export class ScannerError extends DeviceError {}

/**
 * A flatbed document scanner (the photo kiosk's: the applicant places a printed photo on the
 * glass). One scan at a time. `scan` resolves with the whole image or rejects with a
 * ScannerError; a failed, cancelled or timed-out scan leaves the scanner ready for the next
 * one. `cancel()` aborts the running scan (no-op when idle). `close()` aborts any scan and is
 * idempotent; afterwards `scan` rejects with SCANNER_CLOSED.
 */
export interface DocumentScanner {
  readonly name: string;
  scan(request: ScanRequest): Promise<Scan>;
  cancel(): void;
  close(): Promise<void>;
}

/** The glass of the kiosk's scanner: A5 landscape is ample for a 35×45 mm photo. */
export const GLASS_MM = { width: 215.9, height: 297 } as const;

/** Refuses requests no flatbed can serve, before any device is touched. */
export function checkRequest(name: string, r: ScanRequest): void {
  const { x, y, width, height } = r.area;
  const ok = Number.isInteger(r.dpi) && r.dpi >= 50 && r.dpi <= 1200
    && [x, y, width, height].every(Number.isFinite) && x >= 0 && y >= 0 && width >= 5 && height >= 5
    && x + width <= GLASS_MM.width + 1e-6 && y + height <= GLASS_MM.height + 1e-6;
  if (!ok) throw new ScannerError(name, 'SCANNER_BAD_REQUEST', `scan request out of range (${r.dpi} dpi, ${width}×${height} mm at ${x},${y})`);
}

/** Pixels a device produces for `mm` at `dpi` (SANE rounds the same way within a pixel or two). */
export const pixelsFor = (mm: number, dpi: number): number => Math.round((mm / 25.4) * dpi);
