import { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.ts';
import type { TokenScanner } from '../scanner/interface.ts';
import { MrzFramingError, type MrzReader, type MrzReaderEvents } from './interface.ts';
import { LinePairer } from './line-pairer.ts';

/**
 * An MRZ reader on top of a token scanner driver (drivers/scanner: serial with its line
 * framing, or HID keyboard wedge), which already turns device bytes into validated lines.
 * Configure the scanner's terminator as the MRZ reader's line end (usually "\r").
 */
export class ScannerMrzReader implements MrzReader {
  readonly name: string;
  readonly #bus = new EventEmitter();
  readonly #pairer: LinePairer;
  readonly #offs: (() => void)[] = [];

  constructor(
    private readonly scanner: TokenScanner,
    private readonly clock: Clock,
    pairWindowMs = 1500,
  ) {
    this.name = scanner.name;
    this.#pairer = new LinePairer(clock, pairWindowMs, (out) => {
      if (out.kind === 'mrz') this.#bus.emit('mrz', { lines: out.lines, reader: this.name, at: this.clock.now() });
      else this.#bus.emit('error', new MrzFramingError(this.name, out.message, out.digest, out.length));
    });
  }

  on<K extends keyof MrzReaderEvents>(event: K, fn: (payload: MrzReaderEvents[K]) => void): () => void {
    this.#bus.on(event, fn);
    return () => this.#bus.off(event, fn);
  }

  async start(): Promise<void> {
    if (this.#offs.length) return;
    this.#offs.push(
      this.scanner.on('read', (r) => this.#pairer.push(r.text)),
      this.scanner.on('error', (e) => this.#bus.emit('error', new MrzFramingError(this.name, e.message, e.digest, e.length))),
      this.scanner.on('fault', (e) => this.#bus.emit('fault', e)),
      this.scanner.on('recovered', (r) => this.#bus.emit('recovered', r)),
    );
    await this.scanner.start();
  }

  async stop(): Promise<void> {
    for (const off of this.#offs.splice(0)) off();
    this.#pairer.stop();
    await this.scanner.stop();
  }
}
