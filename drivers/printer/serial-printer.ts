import { SerialPort } from 'serialport';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { PrinterCore } from './printer-core.ts';

export interface SerialPrinterConfig {
  readonly name?: string | undefined;
  /** e.g. /dev/ttyS0, or /dev/ttyUSB0 / /dev/ttyACM0 for a USB printer with a serial interface. */
  readonly port: string;
  readonly baudRate: number;
  /** Hardware flow control: the printer holds the computer off while its buffer is full. */
  readonly rtscts: boolean;
  readonly statusTimeoutMs: number;
}

/**
 * A receipt printer on a serial line (RS-232 or USB CDC). A pulled cable closes the port:
 * a query waiting then fails at once, and later calls fail until the kiosk reopens it.
 */
export class SerialPrinter extends PrinterCore {
  #port: SerialPort | undefined;

  constructor(
    private readonly config: SerialPrinterConfig,
    private readonly deps: { clock: Clock; log: Logger },
  ) {
    super(config.name ?? `serial:${config.port}`, deps.clock, config.statusTimeoutMs);
  }

  protected override async openLink(): Promise<void> {
    const port = new SerialPort({ path: this.config.port, baudRate: this.config.baudRate, rtscts: this.config.rtscts, autoOpen: false });
    port.on('data', (chunk: Buffer) => {
      if (port === this.#port) this.received(chunk);
    });
    port.on('error', (err) => this.deps.log.debug({ printer: this.name, err: err.message }, 'printer serial error'));
    port.on('close', () => {
      if (port !== this.#port) return;
      this.#port = undefined;
      this.lost('serial port closed (unplugged?)');
    });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    this.#port = port;
  }

  protected override async closeLink(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  protected override send(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port) return Promise.reject(new Error('port closed'));
    return new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes), (err) => {
        if (err) return reject(err);
        port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }
}
