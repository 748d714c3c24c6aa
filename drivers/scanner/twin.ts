import type { Clock } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Deduper } from './dedupe.ts';
import { ScannerBase } from './scanner-base.ts';

/**
 * The simulated scanner, fed by the simulator and tests. It goes through the same
 * validation and dedupe as the real drivers (ScannerCore) and is as strict as a device:
 * deliveries are asynchronous, a scan while stopped or unplugged is lost, and unplugging
 * is a fault like a pulled cable. Test controls: scan(), scanBytes(), unplug(), plug().
 */
export class SimulatedScanner extends ScannerBase {
  #plugged = true;

  constructor(
    config: { name?: string | undefined },
    deps: { clock: Clock; log: Logger; dedupe: Deduper; maxLength: number },
  ) {
    super(config.name ?? 'sim-scanner', deps);
  }

  protected override async connect(): Promise<void> {
    // An unplugged twin faults on start, as a real driver does when its device is absent.
    if (!this.#plugged) this.core.fault(this.#gone());
  }

  protected override async disconnect(): Promise<void> {}

  /**
   * Test control: the scanner reads `text` (what the QR code encodes). Returns false when
   * nobody could see it (stopped or unplugged). Events follow asynchronously.
   */
  scan(text: string): boolean {
    if (!this.core.running || !this.#plugged) return false;
    setImmediate(() => this.#plugged && this.core.offer(text));
    return true;
  }

  /** Test control: raw bytes as a scanner would send them (bytes that are not UTF-8 are garbage). */
  scanBytes(bytes: Uint8Array): boolean {
    return this.scan(new TextDecoder('utf-8').decode(bytes));
  }

  /** Test control: the cable is pulled; a fault follows (once), scans are lost until plug(). */
  unplug(): void {
    this.#plugged = false;
    setImmediate(() => this.core.fault(this.#gone()));
  }

  /** Test control: the cable is back; 'recovered' follows. */
  plug(): void {
    this.#plugged = true;
    setImmediate(() => this.core.recovered());
  }

  #gone(): DeviceError {
    return new DeviceError(this.name, 'SCANNER_DISCONNECTED', 'simulated scanner unplugged');
  }
}
