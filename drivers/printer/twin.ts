import type { Clock } from '../../core/clock.ts';
import { PrinterCore } from './printer-core.ts';
import { PrinterModel } from './printer-model.ts';

/**
 * The simulated receipt printer: the same ESC/POS conversation as the serial driver
 * (PrinterCore) with the printer model in place of the cable, answering asynchronously as a
 * device does. Test controls: `model` (paper, cover, what was printed), unplug() (absent:
 * open fails; replies stop, so a query times out on the Clock), plug().
 */
export class SimulatedPrinter extends PrinterCore {
  readonly model = new PrinterModel();
  #plugged = true;
  #linked = false;

  constructor(config: { name?: string | undefined; statusTimeoutMs: number }, deps: { clock: Clock }) {
    super(config.name ?? 'sim-printer', deps.clock, config.statusTimeoutMs);
  }

  protected override async openLink(): Promise<void> {
    if (!this.#plugged) throw new Error('no printer on the simulated line');
    this.#linked = true;
  }

  protected override async closeLink(): Promise<void> {
    this.#linked = false;
  }

  protected override send(bytes: Uint8Array): Promise<void> {
    if (!this.#linked) return Promise.reject(new Error('port closed'));
    const copy = Uint8Array.from(bytes);
    return new Promise((resolve) =>
      setImmediate(() => {
        if (this.#plugged) {
          const reply = this.model.receive(copy);
          if (reply.length > 0) setImmediate(() => this.#linked && this.received(reply));
        }
        resolve();
      }),
    );
  }

  /** Test control: the printer is switched off or its cable pulled; bytes vanish, nothing answers. */
  unplug(): void {
    this.#plugged = false;
  }

  plug(): void {
    this.#plugged = true;
  }
}
