import { Bus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import type { DeviceError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Deduper } from './dedupe.ts';
import { ScanError, type ScanErrorCode, type ScannerEvents } from './interface.ts';

// C0 and C1 controls and DEL; U+FFFD stands for bytes that were not UTF-8.
const GARBAGE = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/** Why a scanned text cannot be a token, or undefined when it may be one. */
export function checkScanText(text: string, maxLength: number): ScanErrorCode | undefined {
  if (text.length > maxLength) return 'SCAN_OVERSIZE';
  if (GARBAGE.test(text)) return 'SCAN_GARBAGE';
  return undefined;
}

/**
 * What every scanner does once it has a complete text, whatever wire it came from:
 * validate, dedupe, emit; plus the once-per-outage fault/recovered pair. Serial, HID and
 * the twin all go through here, so they cannot disagree on what a read is.
 */
export class ScannerCore {
  readonly bus = new Bus<ScannerEvents>();
  #faulted = false;
  running = false;

  constructor(
    private readonly deps: { name: string; clock: Clock; log: Logger; dedupe: Deduper; maxLength: number },
  ) {
    this.bus.onListenerError((err, event) => deps.log.error({ err, event }, 'scanner listener threw'));
  }

  get faulted(): boolean {
    return this.#faulted;
  }

  /** A complete scan. Empty texts (a bare terminator) are ignored. */
  offer(text: string): void {
    if (!this.running || text.length === 0) return;
    const code = checkScanText(text, this.deps.maxLength);
    if (code) {
      this.refuse(code, code === 'SCAN_OVERSIZE' ? `scan longer than ${this.deps.maxLength} characters` : 'scan contains control characters or invalid UTF-8', text);
      return;
    }
    if (this.deps.dedupe.repeat(text)) return;
    this.bus.emit('read', { text, reader: this.deps.name, at: this.deps.clock.now() });
  }

  refuse(code: ScanErrorCode, message: string, input: string | Uint8Array): void {
    if (!this.running) return;
    if (this.deps.dedupe.repeat(`\u0000${code}\u0000${typeof input === 'string' ? input : Buffer.from(input).toString('latin1')}`)) return;
    const err = new ScanError(this.deps.name, code, message, input);
    this.deps.log.warn({ reader: this.deps.name, code, digest: err.digest, length: err.length }, 'scan refused');
    this.bus.emit('error', err);
  }

  fault(err: DeviceError): void {
    if (!this.running) return;
    if (this.#faulted) {
      this.deps.log.debug({ reader: this.deps.name, code: err.code }, 'scanner still faulted');
      return;
    }
    this.#faulted = true;
    this.deps.log.warn({ reader: this.deps.name, code: err.code, reason: err.message }, 'scanner fault');
    this.bus.emit('fault', err);
  }

  recovered(): void {
    if (!this.running || !this.#faulted) return;
    this.#faulted = false;
    this.deps.log.info({ reader: this.deps.name }, 'scanner recovered');
    this.bus.emit('recovered', { reader: this.deps.name, at: this.deps.clock.now() });
  }
}
