import { Bus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import { DeviceError, EgateError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Deduper } from '../scanner/dedupe.ts';
import { shortHash } from '../scanner/interface.ts';
import type { CardImage } from './card-image.ts';
import type { CardRead, CardReader, CardReaderEvents } from './interface.ts';
import { SimulatedSmartCard } from './sim-card.ts';
import { readSmartIdCard } from './smart-id-read.ts';

/**
 * The simulated card reader. Strict like the device: one card at a time (presenting a
 * second one without removing the first is refused), events are asynchronous, nothing is
 * seen while stopped or disconnected. Test controls: present(), remove(), failNextRead(),
 * disconnect(), reconnect().
 */
export class SimulatedCardReader implements CardReader {
  readonly name: string;
  readonly #bus = new Bus<CardReaderEvents>();
  #running = false;
  #connected = true;
  #faulted = false;
  #present = false;
  #failNext: string | undefined;
  #chip: SimulatedSmartCard | undefined;

  constructor(
    config: { name?: string | undefined },
    private readonly deps: { clock: Clock; log: Logger; dedupe: Deduper; maxLength: number },
  ) {
    this.name = config.name ?? 'sim-card';
    this.#bus.onListenerError((err, event) => deps.log.error({ err, event }, 'card listener threw'));
  }

  get hasCard(): boolean {
    return this.#present;
  }

  get faulted(): boolean {
    return this.#faulted;
  }

  on<K extends keyof CardReaderEvents>(event: K, fn: (payload: CardReaderEvents[K]) => void): () => void {
    return this.#bus.on(event, fn);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (!this.#connected) this.#fault();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#present = false;
  }

  /**
   * Test control: a card carrying `credential` is laid on the reader. Throws CARD_ALREADY_PRESENT
   * if one is there (a simulator bug, not a traveller action). Returns false if the reader
   * could not see it (stopped or disconnected).
   */
  present(credential: Uint8Array): boolean {
    if (this.#present) throw new EgateError('CARD_ALREADY_PRESENT', 'simulated reader: remove the card first');
    if (!this.#running || !this.#connected) return false;
    this.#present = true;
    const bytes = credential.slice();
    const failure = this.#failNext;
    this.#failNext = undefined;
    setImmediate(() => this.#read(bytes, failure));
    return true;
  }

  /**
   * Test control: a smart identity card (a make-card directory, loaded) is laid on the reader
   * and read over APDUs as the PC/SC driver reads it. `pullAfter`: the card leaves the field
   * after that many APDUs (mid-read → 'error' CARD_UNREADABLE; during INTERNAL AUTHENTICATE →
   * authenticate() rejects). Returns the simulated chip (to count APDUs), or undefined when
   * the reader could not see it.
   */
  presentCard(image: Pick<CardImage, 'files' | 'chipKeyPem'>, opts: { pullAfter?: number } = {}): SimulatedSmartCard | undefined {
    if (this.#present) throw new EgateError('CARD_ALREADY_PRESENT', 'simulated reader: remove the card first');
    if (!this.#running || !this.#connected) return undefined;
    this.#present = true;
    const chip = new SimulatedSmartCard(image);
    if (opts.pullAfter !== undefined) chip.pullAfter(opts.pullAfter);
    this.#chip = chip;
    void readSmartIdCard(chip, this.name, () => this.deps.clock.now()).then((read) => this.#readSmartId(read, chip));
    return chip;
  }

  #readSmartId(read: CardRead | DeviceError, chip: SimulatedSmartCard): void {
    if (!this.#running || !this.#present) return;
    if (read instanceof DeviceError) {
      this.#bus.emit('error', read);
      if (!chip.present) this.remove();
      return;
    }
    this.#deliver(read);
  }

  /** Test control: the card is taken away. */
  remove(): void {
    if (!this.#present) return;
    this.#present = false;
    this.#chip?.pullAfter(0); // a card off the reader answers no more APDUs
    this.#chip = undefined;
    setImmediate(() => this.#running && this.#bus.emit('removed', { reader: this.name, at: this.deps.clock.now() }));
  }

  /** Test control: the next presented card cannot be read (moved away too fast, bad contact). */
  failNextRead(reason = 'card moved during the read'): void {
    this.#failNext = reason;
  }

  /** Test control: the reader's cable is pulled. */
  disconnect(): void {
    this.#connected = false;
    this.#present = false;
    setImmediate(() => this.#fault());
  }

  reconnect(): void {
    this.#connected = true;
    setImmediate(() => {
      if (!this.#running || !this.#faulted) return;
      this.#faulted = false;
      this.#bus.emit('recovered', { reader: this.name, at: this.deps.clock.now() });
    });
  }

  #read(credential: Uint8Array, failure: string | undefined): void {
    if (!this.#running || !this.#present) return;
    if (failure) {
      this.#bus.emit('error', new DeviceError(this.name, 'CARD_READ_FAILED', failure));
      return;
    }
    this.#deliver({ credential, reader: this.name, at: this.deps.clock.now() });
  }

  #deliver(read: CardRead): void {
    if (read.credential.length > this.deps.maxLength) {
      this.#bus.emit('error', new DeviceError(this.name, 'CARD_OVERSIZE', `credential of ${read.credential.length} bytes, over ${this.deps.maxLength} (sha256 ${shortHash(read.credential)})`));
      return;
    }
    if (this.deps.dedupe.repeat(read.credential)) return;
    this.#bus.emit('card', read);
  }

  #fault(): void {
    if (!this.#running || this.#faulted) return;
    this.#faulted = true;
    this.#bus.emit('fault', new DeviceError(this.name, 'CARD_READER_DISCONNECTED', 'simulated card reader disconnected'));
  }
}
