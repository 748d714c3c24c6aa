import { statSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { TimerHandle } from '../../core/clock.ts';
import { EgateError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/log.ts';
import { answer, crcOk, exceptionFrame, requestLength } from './rtu-requests.ts';
import { decodeWrite, type RtuWrite } from './rtu-write-log.ts';
import { ModbusException, type RegisterMap } from './transport.ts';

export interface RtuSlaveOptions {
  path: string;
  baudRate?: number;
  /** 'none' on a pty (it has no parity bit; door-io.md). */
  parity?: 'none' | 'even' | 'odd';
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  unitId?: number;
  /**
   * Silence that ends a frame whose length the function code does not tell (and discards
   * a torn one). Frames of known functions are cut by length, so this adds no latency to them.
   */
  silenceMs?: number;
  /** Keep reopening `path` after the device vanished (a pty pair recreated), every this many ms. */
  reopenMs?: number;
  log?: Logger;
}

export interface RtuSlaveStats {
  answered: number;
  exceptions: number;
  /** Frames dropped without an answer: bad CRC, torn or short, another unit's. */
  dropped: number;
}

/**
 * The simulated controller on a serial line: a Modbus RTU slave serving the plant's register
 * map, behaving like the real firmware on the wire — a frame with a bad CRC or too short is
 * dropped without an answer, an unknown function gets exception 01, an address outside the
 * map exception 02 — and misbehaving as the plant's fault personality says.
 */
export class RtuSlave {
  readonly stats: RtuSlaveStats = { answered: 0, exceptions: 0, dropped: 0 };
  readonly #plant: RegisterMap;
  readonly #o: Required<Omit<RtuSlaveOptions, 'log' | 'reopenMs'>> & { reopenMs?: number };
  readonly #log: Logger;
  #port: SerialPort | undefined;
  #buf = Buffer.alloc(0);
  #silence: TimerHandle | undefined;
  #reopen: TimerHandle | undefined;
  #watch: TimerHandle | undefined;
  #device: number | undefined;
  #running = false;
  readonly #writeListeners: ((w: RtuWrite) => void)[] = [];

  constructor(plant: RegisterMap, o: RtuSlaveOptions) {
    this.#plant = plant;
    this.#o = { baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 1, unitId: 1, silenceMs: 20, ...o };
    this.#log = (o.log ?? silentLogger()).child({ part: 'sim-controller' });
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  /** Calls `fn` with every write the controller executed (its own record; rtu-write-log.ts). */
  onWrite(fn: (w: RtuWrite) => void): () => void {
    this.#writeListeners.push(fn);
    return () => this.#writeListeners.splice(this.#writeListeners.indexOf(fn) >>> 0, 1);
  }

  /** Opens the serial device; rejects with EgateError SLAVE_PORT when it cannot. */
  async start(): Promise<void> {
    this.#running = true;
    await this.#open();
  }

  async stop(): Promise<void> {
    this.#running = false;
    const clock = this.#plant.clock;
    clock.clearTimeout(this.#silence);
    clock.clearTimeout(this.#reopen);
    clock.clearInterval(this.#watch);
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  async #open(): Promise<void> {
    const { path, baudRate, parity, dataBits, stopBits } = this.#o;
    const port = new SerialPort({ path, baudRate, parity, dataBits, stopBits, autoOpen: false });
    port.on('error', (err) => this.#log.debug({ err: err.message }, 'serial error'));
    port.on('data', (d: Buffer) => this.#onData(d));
    port.on('close', () => {
      if (this.#port !== port) return;
      this.#port = undefined;
      this.#log.warn('serial device lost');
      this.#scheduleReopen();
    });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(new EgateError('SLAVE_PORT', `cannot open ${path}: ${err.message}`, { cause: err })) : resolve())),
    );
    this.#port = port;
    this.#buf = Buffer.alloc(0);
    this.#device = deviceId(path);
    if (this.#o.reopenMs !== undefined && !this.#watch) {
      this.#watch = this.#plant.clock.setInterval(() => this.#checkDevice(), this.#o.reopenMs);
    }
  }

  /**
   * A slave only reads, and reading a pty whose other side is gone does not always fail:
   * notice the device path vanishing or naming another device, and reopen.
   */
  #checkDevice(): void {
    const port = this.#port;
    if (!port || deviceId(this.#o.path) === this.#device) return;
    this.#port = undefined;
    this.#log.warn('serial device replaced or gone');
    port.close(() => {});
    this.#scheduleReopen();
  }

  #scheduleReopen(): void {
    const ms = this.#o.reopenMs;
    if (!this.#running || ms === undefined) return;
    this.#reopen = this.#plant.clock.setTimeout(() => {
      this.#open().catch(() => this.#scheduleReopen());
    }, ms);
  }

  #onData(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const clock = this.#plant.clock;
    clock.clearTimeout(this.#silence);
    for (;;) {
      const len = requestLength(this.#buf);
      if (len === 0 || len === -1 || this.#buf.length < len) break;
      const frame = this.#buf.subarray(0, len);
      this.#buf = this.#buf.subarray(len);
      this.#handle(Buffer.from(frame));
    }
    if (this.#buf.length > 0) this.#silence = clock.setTimeout(() => this.#onSilence(), this.#o.silenceMs);
  }

  /** The line went quiet with bytes left over: an unknown function's frame, or junk. */
  #onSilence(): void {
    const rest = this.#buf;
    this.#buf = Buffer.alloc(0);
    if (requestLength(rest) === -1 && crcOk(rest)) this.#handle(rest);
    else this.#drop(rest, 'torn or short frame');
  }

  #handle(frame: Buffer): void {
    if (!crcOk(frame)) return this.#drop(frame, 'bad CRC');
    const unit = frame[0]!;
    if (unit !== this.#o.unitId) return this.#drop(frame, 'another unit');
    const fault = this.#plant.fault;
    if (fault === 'silent') return this.#drop(frame, 'personality silent');
    const before = this.#writeListeners.length > 0 ? this.#coilsBefore(frame) : undefined;
    const response = fault === 'exception'
      ? exceptionFrame(unit, frame[1]!, ModbusException.DEVICE_FAILURE)
      : answer(frame, this.#plant);
    if (fault === 'bad_crc') response[response.length - 1]! ^= 0xff;
    if ((response[1]! & 0x80) !== 0) this.stats.exceptions++;
    else if (this.#writeListeners.length > 0) {
      const w = decodeWrite(frame, performance.now());
      if (w && before) w.before = before;
      if (w) for (const fn of this.#writeListeners) fn(w);
    }
    this.stats.answered++;
    if (fault === 'slow') this.#plant.clock.setTimeout(() => this.#send(response), this.#plant.slowMs);
    else this.#send(response);
  }

  /** The coils a write frame is about to change, as they are now (for the write record). */
  #coilsBefore(frame: Buffer): number[] | undefined {
    const fc = frame[1];
    if ((fc !== 5 && fc !== 15) || frame.length < 8) return undefined;
    const addr = frame.readUInt16BE(2);
    const count = fc === 5 ? 1 : frame.readUInt16BE(4);
    try {
      return Array.from({ length: Math.min(count, 64) }, (_, i) => (this.#plant.readCoil(addr + i) ? 1 : 0));
    } catch {
      return undefined; // an address outside the map: the write is refused anyway
    }
  }

  #send(response: Buffer): void {
    this.#port?.write(response);
  }

  #drop(frame: Buffer, why: string): void {
    this.stats.dropped++;
    this.#log.debug({ bytes: frame.length, why }, 'frame dropped');
  }
}

function deviceId(path: string): number | undefined {
  try {
    return statSync(path).rdev;
  } catch {
    return undefined;
  }
}
