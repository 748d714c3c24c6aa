import { createRequire } from 'node:module';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.d.ts';
import { DeviceError } from '../../core/errors.ts';
import { SystemClock, type Clock } from '../../core/clock.ts';
import { honestDeadline } from '../../core/honest-wait.ts';
import { DoorErrorCode } from './interface.ts';
import type { DoorTransport } from './transport.ts';

// modbus-serial is CommonJS (module.exports = ModbusRTU) while its typings declare an ES
// default export, which NodeNext resolution reads as a namespace: load it the CJS way.
const ModbusClient = createRequire(import.meta.url)('modbus-serial') as typeof ModbusRTU;

export interface SerialLineOptions {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  unitId: number;
  responseTimeoutMs: number;
  /** Times the response timeout; the system clock by default (a serial line runs in real time). */
  clock?: Clock;
}

/**
 * A Modbus RTU master link over serialport, with framing and CRC from modbus-serial
 * (its buffered RTU port cuts answers by the expected length, so a reply split across reads
 * still parses). One attempt per call; the caller serialises and retries.
 */
export class ModbusSerialTransport implements DoorTransport {
  readonly #opts: SerialLineOptions;
  readonly #clock: Clock;
  #client: ModbusRTU | undefined;
  #lostHandlers: ((err: Error) => void)[] = [];

  constructor(opts: SerialLineOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? new SystemClock();
  }

  get isOpen(): boolean {
    return this.#client?.isOpen ?? false;
  }

  onLost(fn: (err: Error) => void): void {
    this.#lostHandlers.push(fn);
  }

  async open(): Promise<void> {
    await this.close();
    const client = new ModbusClient();
    // Without a listener an 'error' event (EIO when a USB adapter is pulled) would crash.
    client.on('error', () => {});
    let lost = false;
    client.on('close', () => {
      if (this.#client !== client || lost) return;
      lost = true;
      this.#client = undefined;
      const err = new DeviceError('door', DoorErrorCode.PORT_LOST, `serial device ${this.#opts.path} lost`);
      for (const fn of this.#lostHandlers) fn(err);
    });
    const { path, baudRate, dataBits, parity, stopBits } = this.#opts;
    try {
      await client.connectRTUBuffered(path, { baudRate, dataBits, parity, stopBits });
    } catch (err) {
      throw new DeviceError('door', DoorErrorCode.PORT_LOST, `cannot open ${path}: ${(err as Error).message}`, { cause: err });
    }
    client.setID(this.#opts.unitId);
    // No timeout inside modbus-serial: its plain timer calls "no answer" for a reply that
    // arrived while our loop was busy. #run times the answer honestly instead.
    client.setTimeout(0);
    this.#client = client;
  }

  close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (!client?.isOpen) return Promise.resolve();
    return new Promise((resolve) => client.close(() => resolve()));
  }

  async readCoils(start: number, count: number): Promise<boolean[]> {
    const r = await this.#run((c) => c.readCoils(start, count));
    return r.data.slice(0, count);
  }

  async readDiscreteInputs(start: number, count: number): Promise<boolean[]> {
    const r = await this.#run((c) => c.readDiscreteInputs(start, count));
    return r.data.slice(0, count);
  }

  async readInputRegisters(start: number, count: number): Promise<number[]> {
    return (await this.#run((c) => c.readInputRegisters(start, count))).data;
  }

  async readHoldingRegisters(start: number, count: number): Promise<number[]> {
    return (await this.#run((c) => c.readHoldingRegisters(start, count))).data;
  }

  async writeCoils(start: number, values: boolean[]): Promise<void> {
    if (values.length === 1) await this.#run((c) => c.writeCoil(start, values[0]!));
    else await this.#run((c) => c.writeCoils(start, values));
  }

  async writeRegister(addr: number, value: number): Promise<void> {
    await this.#run((c) => c.writeRegister(addr, value));
  }

  async #run<T>(op: (c: ModbusRTU) => Promise<T>): Promise<T> {
    const client = this.#client;
    if (!client?.isOpen) throw new DeviceError('door', DoorErrorCode.PORT_LOST, 'serial link not open');
    // A late answer to a request that already timed out would otherwise sit in the buffered
    // port and be taken for the answer to this one (RTU has no transaction ids).
    const port = (client as unknown as { _port?: { _buffer?: Buffer } })._port;
    if (port && Buffer.isBuffer(port._buffer)) port._buffer = Buffer.alloc(0);
    return new Promise<T>((resolve, reject) => {
      const deadline = honestDeadline(this.#clock, this.#opts.responseTimeoutMs, () =>
        reject(new DeviceError('door', DoorErrorCode.TIMEOUT, 'no answer within the response timeout')),
      );
      op(client).then(
        (v) => {
          deadline.cancel();
          resolve(v);
        },
        (err) => {
          deadline.cancel();
          reject(mapError(err, this.#opts.path));
        },
      );
    });
  }
}

/** modbus-serial signals failures by message and errno; the gate branches on our codes. */
function mapError(err: unknown, path: string): DeviceError {
  const e = err as { message?: string; errno?: string; modbusCode?: number };
  const msg = e?.message ?? String(err);
  if (typeof e?.modbusCode === 'number') {
    const d = new DeviceError('door', DoorErrorCode.EXCEPTION, `controller answered exception ${e.modbusCode}`, { cause: err });
    return Object.assign(d, { modbusCode: e.modbusCode });
  }
  if (e?.errno === 'ETIMEDOUT') return new DeviceError('door', DoorErrorCode.TIMEOUT, 'no answer within the response timeout', { cause: err });
  if (/CRC|length|Unexpected data/i.test(msg)) return new DeviceError('door', DoorErrorCode.BAD_FRAME, `malformed answer: ${msg}`, { cause: err });
  return new DeviceError('door', DoorErrorCode.PORT_LOST, `serial link to ${path}: ${msg}`, { cause: err });
}
