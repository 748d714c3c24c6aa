import { SerialPort } from 'serialport';
import type { ReadersConfig } from '../../config/sections/readers.ts';
import type { Clock } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Deduper } from './dedupe.ts';
import { LineFramer } from './line-framer.ts';
import { Reconnector } from './reconnect.ts';
import { ScannerBase } from './scanner-base.ts';

export type SerialScannerConfig = Extract<ReadersConfig['scanners'][number], { kind: 'serial' }>;

/**
 * A barcode/QR scanner on a serial line (RS-232, or USB CDC-ACM such as /dev/ttyACM0)
 * that sends each code followed by a terminator. Unplugging (the port closes with
 * `disconnected`) or an absent port is a fault; the port is reopened with back-off.
 */
export class SerialScanner extends ScannerBase {
  readonly #reconnect: Reconnector;
  readonly #lines: LineFramer;
  #port: SerialPort | undefined;
  #decoder = new TextDecoder('utf-8');

  constructor(
    private readonly config: SerialScannerConfig,
    private readonly deps: { clock: Clock; log: Logger; dedupe: Deduper; maxLength: number; reconnectBackoffMs: { min: number; max: number } },
  ) {
    super(config.name ?? `serial:${config.port}`, deps);
    this.#reconnect = new Reconnector(deps.clock, deps.reconnectBackoffMs, () => void this.#open());
    this.#lines = new LineFramer({ suffix: config.suffix, gapMs: config.gapMs, maxLength: deps.maxLength, clock: deps.clock, core: this.core });
  }

  protected override connect(): Promise<void> {
    return this.#open();
  }

  protected override async disconnect(): Promise<void> {
    this.#reconnect.cancel();
    this.#lines.reset();
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  async #open(): Promise<void> {
    if (!this.core.running) return;
    const port = new SerialPort({ path: this.config.port, baudRate: this.config.baudRate, autoOpen: false });
    this.#port = port;
    this.#lines.reset();
    this.#decoder = new TextDecoder('utf-8');
    port.on('data', (chunk: Buffer) => {
      if (port === this.#port) this.#onData(chunk);
    });
    port.on('error', (err) => this.deps.log.debug({ reader: this.name, err: err.message }, 'serial error'));
    port.on('close', () => {
      if (port !== this.#port || !this.core.running) return;
      this.#port = undefined;
      this.#lost('SCANNER_DISCONNECTED', 'serial port closed (unplugged?)');
    });
    const err = await new Promise<Error | null>((r) => port.open((e) => r(e)));
    if (port !== this.#port) {
      if (!err) port.close(); // stopped while opening
      return;
    }
    if (err) {
      this.#port = undefined;
      this.#lost('SCANNER_OPEN', `cannot open ${this.config.port}: ${err.message}`);
      return;
    }
    this.#reconnect.succeeded();
    this.core.recovered();
  }

  #onData(chunk: Buffer): void {
    // A multi-byte character split across chunks stays in the decoder until complete.
    this.#lines.push(this.#decoder.decode(chunk, { stream: true }));
  }

  #lost(code: string, message: string): void {
    this.#lines.reset();
    this.core.fault(new DeviceError(this.name, code, message));
    this.#reconnect.schedule();
  }
}
