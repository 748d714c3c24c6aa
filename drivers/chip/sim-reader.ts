import { EventEmitter } from 'node:events';
import { DeviceError } from '../../core/errors.ts';
import type { ChipReader, ChipReaderEvent } from './interface.ts';
import type { SimulatedChip } from './sim-chip.ts';

/** Transport faults of the simulated reader, on the n-th transmit from now. */
export type ReaderFault = 'short-answer' | 'pull' | 'silent';

/**
 * The simulated contactless reader: the twin of the PC/SC driver. It is asynchronous
 * like the device (answers on a later tick), serialises transmits (CHIP_BUSY), and can be
 * told to cut an answer short, lose the chip mid-exchange, or stay silent.
 */
export class SimulatedChipReader extends EventEmitter implements ChipReader {
  readonly name = 'simulated';
  #chip: SimulatedChip | undefined;
  #connected = false;
  #busy = false;
  #closed = false;
  #faults: { fault: ReaderFault; at: number }[] = [];
  #count = 0;
  /** APDUs exchanged since the reader was created (test and benchmark aid). */
  get transmits(): number {
    return this.#count;
  }

  get cardPresent(): boolean {
    return this.#chip !== undefined;
  }

  async start(): Promise<void> {
    this.#assertOpen();
    if (this.#chip) setImmediate(() => this.emit('present'));
  }

  /** Test control: puts a chip in the field. */
  insert(chip: SimulatedChip): void {
    this.#chip = chip;
    chip.reset();
    this.emit('present');
  }

  /** Test control: takes the chip away. */
  remove(): void {
    if (!this.#chip) return;
    this.#chip = undefined;
    this.#connected = false;
    this.emit('removed');
  }

  /** Test control: shows `fault` on the transmit `after` calls from now (0 = the next one). */
  misbehave(fault: ReaderFault, after = 0): void {
    this.#faults.push({ fault, at: this.#count + after });
  }

  async connect(): Promise<void> {
    this.#assertOpen();
    if (!this.#chip) throw new DeviceError('chip reader', 'CHIP_ABSENT', 'no chip in the field');
    if (!this.#connected) this.#chip.reset();
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    this.#chip?.reset();
    this.#connected = false;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    this.#assertOpen();
    if (this.#busy) throw new DeviceError('chip reader', 'CHIP_BUSY', 'transmit already pending');
    if (!this.#chip || !this.#connected) throw new DeviceError('chip reader', 'CHIP_ABSENT', 'no chip connected');
    this.#busy = true;
    const n = this.#count++;
    try {
      await new Promise<void>((r) => setImmediate(r));
      const idx = this.#faults.findIndex((f) => f.at === n);
      const fault = idx >= 0 ? this.#faults.splice(idx, 1)[0]!.fault : undefined;
      if (fault === 'pull') {
        this.remove();
        throw new DeviceError('chip reader', 'CHIP_REMOVED', 'chip left the field');
      }
      if (fault === 'silent') throw new DeviceError('chip reader', 'CHIP_IO', 'no answer from the chip');
      const chip = this.#chip;
      if (!chip) throw new DeviceError('chip reader', 'CHIP_REMOVED', 'chip left the field');
      const answer = chip.process(apdu);
      return fault === 'short-answer' ? answer.subarray(0, 1) : answer;
    } finally {
      this.#busy = false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#connected = false;
  }

  #assertOpen(): void {
    if (this.#closed) throw new DeviceError('chip reader', 'CHIP_IO', 'reader closed');
  }

  override on(event: ChipReaderEvent, listener: () => void): this {
    return super.on(event, listener);
  }

  override off(event: ChipReaderEvent, listener: () => void): this {
    return super.off(event, listener);
  }
}
