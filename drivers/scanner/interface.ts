import { createHash } from 'node:crypto';
import { DeviceError } from '../../core/errors.ts';

/** One decoded scan. `text` is traveller data: never log it. */
export interface TokenRead {
  readonly text: string;
  /** Which scanner read it (config `name`, else e.g. "serial:/dev/ttyACM0"). */
  readonly reader: string;
  /** Clock time (ms since epoch) when the scan was complete. */
  readonly at: number;
}

export type ScanErrorCode = 'SCAN_OVERSIZE' | 'SCAN_GARBAGE' | 'SCAN_FRAMING';

/**
 * A scan that could not be a token: longer than `maxLength` (SCAN_OVERSIZE), with control
 * characters or bytes that are not UTF-8 (SCAN_GARBAGE), or broken off mid-message
 * (SCAN_FRAMING). Carries only a short hash and the length of the offending input, never
 * the input itself. The scanner keeps working after one.
 */
export class ScanError extends DeviceError {
  declare readonly code: ScanErrorCode;
  /** First 12 hex digits of SHA-256 of the offending input: enough to correlate, not to read. */
  readonly digest: string;
  readonly length: number;
  constructor(reader: string, code: ScanErrorCode, message: string, input: string | Uint8Array) {
    super(reader, code, message);
    this.digest = shortHash(input);
    this.length = input.length;
  }
}

export function shortHash(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('hex').slice(0, 12);
}

export interface ScannerEvents {
  /** A valid scan, not a repeat of the same text within the dedupe window. */
  read: TokenRead;
  /** A scan that was refused; repeats of the same bad input within the window are not re-reported. */
  error: ScanError;
  /** The scanner is gone or cannot be opened; emitted once per outage, reconnection keeps trying. */
  fault: DeviceError;
  /** The scanner is back after a fault. */
  recovered: { reader: string; at: number };
}

/**
 * A QR/barcode scanner. Behaviour every implementation (serial, HID, twin) honours:
 * - `start()` resolves after the first attempt to open the device, whether it worked or
 *   not: an absent scanner is a 'fault' (and keeps being retried), never a rejected start,
 *   so the gate still comes up and can report it. Twice is a no-op.
 * - `stop()` closes the device, cancels retries, emits nothing afterwards; idempotent.
 * - Validation and dedupe are the same code for all (read-filter.ts): text longer than
 *   maxLength, control characters or invalid UTF-8 become an 'error', and the same text
 *   within dedupeMs of its last sighting is one read (a phone held still is read once).
 * - A partial scan never joins the next one: framing resynchronises at the next terminator.
 */
export interface TokenScanner {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True between a 'fault' and the following 'recovered'. */
  readonly faulted: boolean;
  on<K extends keyof ScannerEvents>(event: K, fn: (payload: ScannerEvents[K]) => void): () => void;
}
