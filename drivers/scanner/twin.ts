import type { Clock } from '../../kiosk/clock.ts';
import { DeviceError } from '../../kiosk/errors.ts';
import type { Logger } from '../../kiosk/log.ts';
import type { Deduper } from './dedupe.ts';
import type { ScannerEvents, TokenScanner } from './interface.ts';
import { ScannerCore } from './scanner-core.ts';

/**
 * The simulated scanner, fed by the simulator and tests. It goes through the same
 * validation and dedupe as the real drivers (ScannerCore) and is as strict as a device:
 * deliveries are asynchronous, a scan while stopped or unplugged is lost, and unplugging
 * is a fault like a pulled cable. Test controls: scan(), scanBytes(), unplug(), plug().
 */
export class SimulatedScanner implements TokenScanner {
  readonly name: string;
  readonly #core: ScannerCore;
  #plugged = true;

  constructor(
    config: { name?: string | undefined },
    private readonly deps: { clock: Clock; log: Logger; dedupe: Deduper; maxLength: number },
  ) {
    this.name = config.name ?? 'sim-scanner';
    this.#core = new ScannerCore({ ...deps, name: this.name });
  }

  get faulted(): boolean {
    return this.#core.faulted;
  }

  on<K extends keyof ScannerEvents>(event: K, fn: (payload: ScannerEvents[K]) => void): () => void {
    return this.#core.bus.on(event, fn);
  }

  async start(): Promise<void> {
    if (this.#core.running) return;
    this.#core.running = true;
    if (!this.#plugged) this.#core.fault(this.#gone());
  }

  async stop(): Promise<void> {
    this.#core.running = false;
  }

  /**
   * Test control: the scanner reads `text` (what the QR code encodes). Returns false when
   * nobody could see it (stopped or unplugged). Events follow asynchronously.
   */
  scan(text: string): boolean {
    if (!this.#core.running || !this.#plugged) return false;
    setImmediate(() => this.#plugged && this.#core.offer(text));
    return true;
  }

  /** Test control: raw bytes as a scanner would send them (bytes that are not UTF-8 are garbage). */
  scanBytes(bytes: Uint8Array): boolean {
    return this.scan(new TextDecoder('utf-8').decode(bytes));
  }

  /** Test control: the cable is pulled; a fault follows (once), scans are lost until plug(). */
  unplug(): void {
    this.#plugged = false;
    setImmediate(() => this.#core.fault(this.#gone()));
  }

  /** Test control: the cable is back; 'recovered' follows. */
  plug(): void {
    this.#plugged = true;
    setImmediate(() => this.#core.recovered());
  }

  #gone(): DeviceError {
    return new DeviceError(this.name, 'SCANNER_DISCONNECTED', 'simulated scanner unplugged');
  }
}
