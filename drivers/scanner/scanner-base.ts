import type { ScannerEvents, TokenScanner } from './interface.ts';
import { ScannerCore } from './scanner-core.ts';

/**
 * The TokenScanner surface every scanner shares, so that serial, HID and the twin keep the
 * same start/stop contract (start twice or stop twice is a no-op) and only say how to
 * reach their device: connect() runs on start, disconnect() on stop, each once per run.
 * What a read is stays in ScannerCore; this is only the bookkeeping around it.
 */
export abstract class ScannerBase implements TokenScanner {
  readonly name: string;
  protected readonly core: ScannerCore;

  constructor(name: string, deps: Omit<ConstructorParameters<typeof ScannerCore>[0], 'name'>) {
    this.name = name;
    this.core = new ScannerCore({ ...deps, name });
  }

  get faulted(): boolean {
    return this.core.faulted;
  }

  on<K extends keyof ScannerEvents>(event: K, fn: (payload: ScannerEvents[K]) => void): () => void {
    return this.core.bus.on(event, fn);
  }

  async start(): Promise<void> {
    if (this.core.running) return;
    this.core.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    if (!this.core.running) return;
    this.core.running = false;
    await this.disconnect();
  }

  /** First attempt to reach the device; a failure is a fault, never a rejection (see TokenScanner). */
  protected abstract connect(): Promise<void>;
  /** Close the device and cancel retries; core.running is already false. */
  protected abstract disconnect(): Promise<void>;
}
