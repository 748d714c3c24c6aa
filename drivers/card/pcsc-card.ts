import { Bus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import { DeviceError, EgateError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { PcscChipReader } from '../chip/pcsc.ts';
import type { PcscFactory } from '../chip/pcsc-addon.ts';
import type { Deduper } from '../scanner/dedupe.ts';
import { shortHash } from '../scanner/interface.ts';
import type { CardRead, CardReader, CardReaderEvents } from './interface.ts';
import { readSmartIdCard } from './smart-id-read.ts';

/**
 * The smart identity card reader on PC/SC (smart-id.md). The PC/SC side — pcscd through
 * @pokusew/pcsclite, reader choice, card presence, exclusive connect, transmit, the deferred
 * native close that keeps the event loop alive — is the passport chip reader's transport
 * (drivers/chip/pcsc.ts), shared rather than copied; this class adds the card application.
 * Every presentation is read once (SELECT AID, EF.CRED, EF.PHOTO, EF.CARD) and delivered as
 * a 'card' whose smartId.authenticate() runs INTERNAL AUTHENTICATE while the card stays.
 * A card pulled mid-read is an 'error' CARD_UNREADABLE; nothing here throws into pcsclite.
 */
export class PcscCardReader implements CardReader {
  readonly #bus = new Bus<CardReaderEvents>();
  readonly #pcsc: PcscChipReader;
  #running = false;
  #faulted = false;
  #reading = false;

  constructor(
    private readonly config: { readerName?: string | undefined; startTimeoutMs?: number },
    private readonly deps: { clock: Clock; log: Logger; dedupe: Deduper; maxLength: number; load?: () => PcscFactory },
  ) {
    this.#pcsc = new PcscChipReader(config.readerName, deps.load ? { load: deps.load } : {});
    this.#bus.onListenerError((err, event) => deps.log.error({ err, event }, 'card listener threw'));
  }

  get name(): string {
    return this.#pcsc.name;
  }

  get hasCard(): boolean {
    return this.#pcsc.cardPresent;
  }

  get faulted(): boolean {
    return this.#faulted;
  }

  /** Loads the PC/SC addon now: a gate whose addon is missing refuses to start (PCSC_UNAVAILABLE). */
  checkAddon(): void {
    this.#pcsc.checkAddon();
  }

  on<K extends keyof CardReaderEvents>(event: K, fn: (payload: CardReaderEvents[K]) => void): () => void {
    return this.#bus.on(event, fn);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    // Status events arrive inside the addon's delivery: act in a later macrotask (see PcscChipReader.close).
    this.#pcsc.on('present', () => setImmediate(() => void this.#session()));
    this.#pcsc.on('removed', () => setImmediate(() => this.#running && this.#bus.emit('removed', { reader: this.name, at: this.deps.clock.now() })));
    try {
      await this.#pcsc.start(this.config.startTimeoutMs ?? 5000);
    } catch (err) {
      this.#faulted = true;
      const code = err instanceof EgateError && err.code === 'PCSC_UNAVAILABLE' ? 'PCSC_UNAVAILABLE' : 'CARD_READER_DISCONNECTED';
      this.#bus.emit('fault', new DeviceError(this.name, code, err instanceof Error ? err.message : 'PC/SC reader unavailable', { cause: err }));
    }
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#pcsc.close();
  }

  async #session(): Promise<void> {
    if (!this.#running || this.#reading || !this.#pcsc.cardPresent) return;
    this.#reading = true;
    try {
      let read: CardRead | DeviceError;
      try {
        await this.#pcsc.connect();
        read = await readSmartIdCard(this.#pcsc, this.name, () => this.deps.clock.now());
      } catch (err) {
        read = new DeviceError(this.name, 'CARD_UNREADABLE', 'the card did not power up', { cause: err });
      }
      if (!this.#running) return;
      if (read instanceof DeviceError) {
        this.#bus.emit('error', read);
        return;
      }
      if (read.credential.length > this.deps.maxLength) {
        this.#bus.emit('error', new DeviceError(this.name, 'CARD_OVERSIZE', `credential of ${read.credential.length} bytes, over ${this.deps.maxLength} (sha256 ${shortHash(read.credential)})`));
        return;
      }
      if (this.deps.dedupe.repeat(read.credential)) return;
      this.#bus.emit('card', read);
    } finally {
      this.#reading = false;
    }
  }
}
