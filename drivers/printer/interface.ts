import { DeviceError } from '../../core/errors.ts';

/** The paper roll as the printer's sensors see it (ESC/POS DLE EOT 4). */
export type PaperState = 'ok' | 'near-end' | 'out';

/** What a receipt printer answers to its real-time status queries. */
export interface PrinterStatus {
  /** False when the printer has stopped printing (cover open, paper out, error). */
  readonly online: boolean;
  readonly paper: PaperState;
  readonly coverOpen: boolean;
}

export type PrinterErrorCode =
  | 'PRINTER_OPEN' // the device could not be opened (absent, unplugged, no permission)
  | 'PRINTER_CLOSED' // a call while the printer is not open
  | 'PRINTER_NO_REPLY' // a status query went unanswered within the timeout (off, cable cut)
  | 'PRINTER_PAPER_OUT' // refused before printing: no paper
  | 'PRINTER_OFFLINE' // refused before printing: cover open or another stop
  | 'PRINTER_INCOMPLETE' // after the job the printer reports it stopped: the slip may be cut short
  | 'PRINTER_WRITE'; // the serial write failed

/** A printer fault; never carries the job's bytes (they hold traveller data). */
export class PrinterError extends DeviceError {
  declare readonly code: PrinterErrorCode;
  constructor(device: string, code: PrinterErrorCode, message: string, options?: { cause?: unknown }) {
    super(device, code, message, options);
  }
}

/**
 * A thermal receipt printer speaking ESC/POS. Behaviour every implementation (serial, twin)
 * honours:
 * - `open()` opens the device; an absent device rejects with PRINTER_OPEN. Twice is a no-op.
 * - `status()` asks the printer itself (DLE EOT 1 and 4, one reply byte each) and never
 *   guesses: no reply within the configured time rejects PRINTER_NO_REPLY.
 * - `print(job)` checks the status first and refuses (PRINTER_PAPER_OUT, PRINTER_OFFLINE)
 *   without sending a byte; otherwise it sends the whole job, waits until it has left the
 *   computer, and asks the status again: a printer that stopped during the job rejects
 *   PRINTER_INCOMPLETE, so the caller knows the slip may be cut short and can say so.
 *   Jobs are sent one after another, never interleaved.
 * - `close()` closes the device; calls after it reject PRINTER_CLOSED; idempotent.
 */
export interface ReceiptPrinter {
  readonly name: string;
  open(): Promise<void>;
  status(): Promise<PrinterStatus>;
  print(job: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
