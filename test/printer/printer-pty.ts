import { SerialPort } from 'serialport';
import { PrinterModel } from '../../drivers/printer/printer-model.ts';
import { openPtyPair, type PtyPair } from '../helpers/pty.ts';

/**
 * The receipt printer at the far end of a socat pty: the printer model answers what the
 * driver sends, and every byte received is kept (`captured`) for the ESC/POS decoder.
 */
export class PtyPrinter {
  readonly model = new PrinterModel();
  readonly captured: number[] = [];
  #pair: PtyPair | undefined;
  #port: SerialPort | undefined;

  /** The path the driver opens. */
  get path(): string {
    if (!this.#pair) throw new Error('pty printer not started');
    return this.#pair.a;
  }

  async start(): Promise<void> {
    this.#pair = await openPtyPair();
    const port = new SerialPort({ path: this.#pair.b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.captured.push(b);
      const reply = this.model.receive(chunk);
      if (reply.length > 0) port.write(Buffer.from(reply));
    });
    this.#port = port;
  }

  async stop(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
    await this.#pair?.close();
    this.#pair = undefined;
  }
}
