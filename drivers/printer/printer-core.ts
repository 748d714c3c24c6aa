import type { Clock, TimerHandle } from '../../core/clock.ts';
import { type PrinterErrorCode, PrinterError, type PrinterStatus, type ReceiptPrinter } from './interface.ts';
import { decodeStatus, isStatusByte, STATUS_QUERIES, statusQuery } from './status-bytes.ts';

/**
 * The ESC/POS conversation every printer has (status queries, refusal before printing,
 * the check after), over a link the subclass provides: the serial port, or the twin's
 * in-process printer model. Calls are queued so two jobs never interleave on the line.
 */
export abstract class PrinterCore implements ReceiptPrinter {
  #open = false;
  #queue: Promise<unknown> = Promise.resolve();
  #waiting: { resolve(b: number): void; reject(e: Error): void; timer: TimerHandle } | undefined;

  constructor(
    readonly name: string,
    protected readonly clock: Clock,
    private readonly statusTimeoutMs: number,
  ) {}

  /** Opens the device; rejects when it is absent. */
  protected abstract openLink(): Promise<void>;
  protected abstract closeLink(): Promise<void>;
  /** Sends bytes; resolves once they have left the computer. */
  protected abstract send(bytes: Uint8Array): Promise<void>;

  async open(): Promise<void> {
    if (this.#open) return;
    try {
      await this.openLink();
    } catch (err) {
      throw new PrinterError(this.name, 'PRINTER_OPEN', `cannot open: ${(err as Error).message}`, { cause: err });
    }
    this.#open = true;
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#fail('PRINTER_CLOSED', 'closed while waiting for a reply');
    await this.closeLink().catch(() => {});
  }

  status(): Promise<PrinterStatus> {
    return this.#serial(() => this.#status());
  }

  print(job: Uint8Array): Promise<void> {
    return this.#serial(async () => {
      const before = await this.#status();
      if (before.paper === 'out') throw this.#error('PRINTER_PAPER_OUT', 'no paper');
      if (!before.online) throw this.#error('PRINTER_OFFLINE', before.coverOpen ? 'cover open' : 'printer offline');
      await this.#send(job);
      const after = await this.#status();
      if (!after.online) throw this.#error('PRINTER_INCOMPLETE', `stopped during the job (${after.paper === 'out' ? 'paper out' : 'offline'})`);
    });
  }

  /** Bytes from the printer: a status reply answers the query waiting for it; anything else is line noise. */
  protected received(bytes: Uint8Array): void {
    for (const b of bytes) {
      const w = this.#waiting;
      if (!w || !isStatusByte(b)) continue;
      this.#waiting = undefined;
      this.clock.clearTimeout(w.timer);
      w.resolve(b);
    }
  }

  /** The link went away (cable pulled): a waiting query fails now rather than at its timeout. */
  protected lost(message: string): void {
    this.#fail('PRINTER_NO_REPLY', message);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (!this.#open) throw this.#error('PRINTER_CLOSED', 'printer not open');
      return fn();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #status(): Promise<PrinterStatus> {
    const replies: number[] = [];
    for (const n of STATUS_QUERIES) replies.push(await this.#ask(n));
    return decodeStatus(replies[0]!, replies[1]!, replies[2]!);
  }

  async #ask(n: (typeof STATUS_QUERIES)[number]): Promise<number> {
    const reply = new Promise<number>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.#waiting = undefined;
        reject(this.#error('PRINTER_NO_REPLY', `no reply to DLE EOT ${n} within ${this.statusTimeoutMs} ms`));
      }, this.statusTimeoutMs);
      this.#waiting = { resolve, reject, timer };
    });
    try {
      await this.#send(statusQuery(n));
    } catch (err) {
      const w = this.#waiting;
      this.#waiting = undefined;
      if (w) this.clock.clearTimeout(w.timer);
      throw err;
    }
    return reply;
  }

  async #send(bytes: Uint8Array): Promise<void> {
    try {
      await this.send(bytes);
    } catch (err) {
      throw this.#error('PRINTER_WRITE', `write failed: ${(err as Error).message}`, err);
    }
  }

  #fail(code: PrinterErrorCode, message: string): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    if (!w) return;
    this.clock.clearTimeout(w.timer);
    w.reject(this.#error(code, message));
  }

  #error(code: PrinterErrorCode, message: string, cause?: unknown): PrinterError {
    return new PrinterError(this.name, code, message, cause === undefined ? undefined : { cause });
  }
}
