import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { Deduper } from '../scanner/dedupe.ts';
import { SimulatedScanner } from '../scanner/twin.ts';
import { ScannerMrzReader } from './scanner-mrz.ts';

/**
 * The simulated MRZ reader: the same pairing code as the real one over the simulated
 * scanner, so it is as strict (asynchronous, loses text while stopped or unplugged).
 * Test controls: swipe(lines), type(text), unplug(), plug().
 */
export class SimulatedMrzReader extends ScannerMrzReader {
  readonly #scanner: SimulatedScanner;

  constructor(deps: { clock: Clock; log: Logger; name?: string; pairWindowMs?: number }) {
    const scanner = new SimulatedScanner({ name: deps.name ?? 'sim-mrz' }, { clock: deps.clock, log: deps.log, dedupe: new Deduper(0, deps.clock), maxLength: 256 });
    super(scanner, deps.clock, deps.pairWindowMs);
    this.#scanner = scanner;
  }

  /** A passport swiped: both lines, one after the other, as a swipe reader sends them. */
  swipe(lines: readonly string[]): boolean {
    return lines.every((l) => this.#scanner.scan(l));
  }

  /** Raw text as one line (a half swipe, a TD1 card, noise). */
  type(text: string): boolean {
    return this.#scanner.scan(text);
  }

  unplug(): void {
    this.#scanner.unplug();
  }

  plug(): void {
    this.#scanner.plug();
  }
}
