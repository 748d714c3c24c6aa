/**
 * Parser for the scanned-data input report of a HID POS barcode scanner (usage page 0x8C,
 * "HID Point of Sale Usage Tables" 1.02, Scanned Data Report 0x12), in the 64-byte layout
 * that HID POS scanners use (Honeywell, Zebra; Windows' in-box POS driver reads the same):
 *
 *   [0]      report ID (0x02 by default)
 *   [1]      number of decoded-data bytes in THIS report (0…56)
 *   [2..4]   symbology identifier 1..3 (AIM identifier, e.g. "]Q1" for QR Code)
 *   [5..60]  decoded data, 56 bytes, zero padded
 *   [61..62] vendor specific
 *   [63]     bit 0: decoded data continued — more reports of this scan follow
 *
 * A long code (a ~700-character QR token) spans several reports; the message ends at the
 * first report whose continued bit is clear. Pure: no I/O, unit-tested on recorded bytes.
 */
export const POS_REPORT_BYTES = 64;
export const POS_DATA_BYTES = 56;

export type PosResult =
  | { kind: 'scan'; symbology: string; data: Uint8Array }
  | { kind: 'error'; code: 'SCAN_OVERSIZE' | 'SCAN_FRAMING'; message: string; sample: Uint8Array };

export class PosReportParser {
  #parts: Uint8Array[] = [];
  #size = 0;
  #symbology = '';
  #oversize = false;

  constructor(private readonly opts: { maxLength: number; reportId?: number }) {}

  /** Feeds one input report; returns the scans (or errors) it completes. */
  push(report: Uint8Array): PosResult[] {
    const reportId = this.opts.reportId ?? 0x02;
    if (report[0] !== reportId) return []; // another report of the device (status, attributes)
    const length = report[1] ?? 0;
    if (report.length < POS_REPORT_BYTES || length > POS_DATA_BYTES) {
      const sample = report.slice();
      this.#reset();
      return [{ kind: 'error', code: 'SCAN_FRAMING', message: `malformed POS report (${report.length} bytes, data length ${length})`, sample }];
    }
    const continued = ((report[63] ?? 0) & 0x01) === 1;
    if (this.#parts.length === 0 && !this.#oversize) this.#symbology = String.fromCharCode(...report.subarray(2, 5));
    const out: PosResult[] = [];
    if (!this.#oversize) {
      this.#parts.push(report.slice(5, 5 + length));
      this.#size += length;
      if (this.#size > this.opts.maxLength) {
        out.push({ kind: 'error', code: 'SCAN_OVERSIZE', message: `scan longer than ${this.opts.maxLength} bytes`, sample: concat(this.#parts, this.#size) });
        this.#oversize = true;
        this.#parts = [];
      }
    }
    if (!continued) {
      if (!this.#oversize && this.#size > 0) out.push({ kind: 'scan', symbology: this.#symbology, data: concat(this.#parts, this.#size) });
      this.#reset();
    }
    return out;
  }

  /** Drops a scan in progress (device lost). */
  #reset(): void {
    this.#parts = [];
    this.#size = 0;
    this.#oversize = false;
    this.#symbology = '';
  }

  reset(): void {
    this.#reset();
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
