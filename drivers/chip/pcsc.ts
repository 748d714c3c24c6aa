import { EventEmitter } from 'node:events';
import { DeviceError } from '../../core/errors.ts';
import type { ChipReader, ChipReaderEvent } from './interface.ts';
import { loadPcscAddon, type Pcsc, type PcscFactory, type PcscReader } from './pcsc-addon.ts';

const DEVICE = 'chip reader';
/** Room for an extended-length answer (64 KB data + SW). */
const MAX_RESPONSE = 65538;

/**
 * The contactless chip reader on PC/SC (pcscd) through @pokusew/pcsclite. The native
 * module is an optional dependency: a gate configured for this reader calls checkAddon()
 * while it is built, so one whose addon is missing refuses to start (PCSC_UNAVAILABLE,
 * with the fix) before any device moves; the simulated reader never needs it.
 */
export class PcscChipReader extends EventEmitter implements ChipReader {
  #pcsc: Pcsc | undefined;
  #reader: PcscReader | undefined;
  #protocol: number | undefined;
  #present = false;
  #busy = false;
  #closed = false;
  readonly #others: PcscReader[] = [];
  readonly #wanted: string | undefined;
  readonly #load: () => PcscFactory;
  #factory: PcscFactory | undefined;

  /**
   * `readerName`: a substring of the PC/SC reader name to use; the first reader otherwise.
   * `load` loads the addon (tests inject a failing one).
   */
  constructor(readerName?: string, opts: { load?: () => PcscFactory } = {}) {
    super();
    this.#wanted = readerName;
    this.#load = opts.load ?? (() => loadPcscAddon());
  }

  /** Loads the addon now; throws PCSC_UNAVAILABLE (naming the fix) when it is missing. */
  checkAddon(): void {
    this.#factory ??= this.#load();
  }

  get name(): string {
    return this.#reader?.name ?? this.#wanted ?? 'pcsc';
  }

  get cardPresent(): boolean {
    return this.#present;
  }

  async start(timeoutMs = 5000): Promise<void> {
    if (this.#pcsc) return;
    this.checkAddon();
    const pcsc = this.#factory!();
    this.#pcsc = pcsc;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DeviceError(DEVICE, 'READER_ABSENT', 'no PC/SC reader appeared')), timeoutMs);
      pcsc.on('error', (err: unknown) => {
        clearTimeout(timer);
        reject(new DeviceError(DEVICE, 'CHIP_IO', 'PC/SC error', { cause: err }));
      });
      pcsc.on('reader', (reader: PcscReader) => {
        // Every reader gets an error listener: pcsclite emits on readers we do not use too.
        reader.on('error', () => {});
        if (this.#reader || (this.#wanted && !reader.name.includes(this.#wanted))) {
          this.#others.push(reader);
          return;
        }
        this.#reader = reader;
        reader.on('status', (s: { state: number }) => this.#status(reader, s.state));
        reader.on('end', () => this.#gone());
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #status(reader: PcscReader, state: number): void {
    const present = (state & reader.SCARD_STATE_PRESENT) !== 0 && (state & reader.SCARD_STATE_EMPTY) === 0;
    if (present === this.#present) return;
    this.#present = present;
    if (!present) this.#protocol = undefined;
    this.emit(present ? 'present' : 'removed');
  }

  #gone(): void {
    if (this.#present) {
      this.#present = false;
      this.emit('removed');
    }
    this.#reader = undefined;
    this.#protocol = undefined;
  }

  async connect(): Promise<void> {
    const reader = this.#readerOrThrow();
    if (this.#protocol !== undefined) return;
    if (reader.connected) await this.disconnect(); // the handle of a chip that left
    if (!this.#present) throw new DeviceError(DEVICE, 'CHIP_ABSENT', 'no chip in the field');
    this.#protocol = await new Promise<number>((resolve, reject) =>
      reader.connect({ share_mode: reader.SCARD_SHARE_EXCLUSIVE }, (err, protocol) =>
        err ? reject(new DeviceError(DEVICE, 'CHIP_ABSENT', 'chip did not power up', { cause: err })) : resolve(protocol),
      ),
    );
  }

  async disconnect(): Promise<void> {
    const reader = this.#reader;
    // After a removal the protocol is gone but the PC/SC handle is not: release it anyway.
    if (!reader || !reader.connected) return;
    this.#protocol = undefined;
    await new Promise<void>((resolve) => reader.disconnect(reader.SCARD_RESET_CARD, () => resolve()));
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const reader = this.#readerOrThrow();
    if (this.#busy) throw new DeviceError(DEVICE, 'CHIP_BUSY', 'transmit already pending');
    const protocol = this.#protocol;
    if (protocol === undefined) throw new DeviceError(DEVICE, 'CHIP_ABSENT', 'no chip connected');
    this.#busy = true;
    try {
      return await new Promise<Uint8Array>((resolve, reject) =>
        reader.transmit(Buffer.from(apdu), MAX_RESPONSE, protocol, (err, res) => {
          // Fewer than two bytes is no chip answer at all (a reader losing the card mid-exchange).
          if (!err && res.length >= 2) return resolve(res);
          if (!err) return reject(new DeviceError(DEVICE, this.#present ? 'CHIP_IO' : 'CHIP_REMOVED', `answer of ${res.length} bytes`));
          const removed = !this.#present || /removed|reset/i.test(String((err as Error)?.message ?? err));
          if (removed) this.#protocol = undefined;
          reject(new DeviceError(DEVICE, removed ? 'CHIP_REMOVED' : 'CHIP_IO', 'transmit failed', { cause: err }));
        }),
      );
    } finally {
      this.#busy = false;
    }
  }

  /**
   * The addon's close() is synchronous: it cancels the status thread under the reader's
   * mutex and joins it. That mutex is held while a status change is delivered to JS, and
   * the microtasks queued by a listener (say `await removed; await reader.close()`) run
   * inside that delivery: closing from there locks a mutex this very thread holds and the
   * event loop stops for ever. So the native close runs in a later macrotask, after every
   * status delivery has returned.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.disconnect().catch(() => {});
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#reader?.close();
    for (const r of this.#others.splice(0)) r.close();
    this.#pcsc?.close();
    this.#reader = undefined;
    this.#pcsc = undefined;
  }

  #readerOrThrow(): PcscReader {
    if (this.#closed) throw new DeviceError(DEVICE, 'CHIP_IO', 'reader closed');
    if (!this.#reader) throw new DeviceError(DEVICE, 'READER_ABSENT', 'reader not started or gone');
    return this.#reader;
  }

  override on(event: ChipReaderEvent, listener: () => void): this {
    return super.on(event, listener);
  }

  override off(event: ChipReaderEvent, listener: () => void): this {
    return super.off(event, listener);
  }
}
