import type { TimerHandle } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import { DoorErrorCode } from './interface.ts';
import { PlantException } from './plant.ts';
import type { DoorTransport, RegisterMap } from './transport.ts';

/**
 * The plant's register map reached in process, as strict as the serial line: every answer
 * comes asynchronously after `latencyMs` on the plant's clock, the fault personalities fail
 * the way they fail on the wire (silent and slow time out, bad_crc is a bad frame, exception
 * is an exception), and an unplugged link refuses to open.
 */
export class PlantTransport implements DoorTransport {
  readonly #plant: RegisterMap;
  readonly #timeoutMs: number;
  readonly #latencyMs: number;
  readonly #lost: ((err: Error) => void)[] = [];
  readonly #pending = new Map<TimerHandle, (err: DeviceError) => void>();
  #open = false;
  #unplugged = false;

  constructor(plant: RegisterMap, o: { responseTimeoutMs: number; latencyMs?: number }) {
    this.#plant = plant;
    this.#timeoutMs = o.responseTimeoutMs;
    this.#latencyMs = o.latencyMs ?? 2;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  onLost(fn: (err: Error) => void): void {
    this.#lost.push(fn);
  }

  /** Test control: the adapter is pulled out; the open link is lost and reopening fails. */
  unplug(): void {
    this.#unplugged = true;
    if (!this.#open) return;
    this.#open = false;
    const err = portLost('serial device vanished');
    this.#failPending(err);
    for (const fn of this.#lost) fn(err);
  }

  /** Test control: the adapter is back; the next open succeeds. */
  plugIn(): void {
    this.#unplugged = false;
  }

  async open(): Promise<void> {
    await Promise.resolve();
    if (this.#unplugged) throw portLost('no such serial device');
    this.#open = true;
  }

  async close(): Promise<void> {
    this.#open = false;
    this.#failPending(portLost('link closed'));
  }

  readCoils(start: number, count: number): Promise<boolean[]> {
    return this.#request(() => range(start, count).map((a) => this.#plant.readCoil(a)));
  }

  readDiscreteInputs(start: number, count: number): Promise<boolean[]> {
    return this.#request(() => range(start, count).map((a) => this.#plant.readInput(a)));
  }

  readInputRegisters(start: number, count: number): Promise<number[]> {
    return this.#request(() => range(start, count).map((a) => this.#plant.readInputRegister(a)));
  }

  readHoldingRegisters(start: number, count: number): Promise<number[]> {
    return this.#request(() => range(start, count).map((a) => this.#plant.readHoldingRegister(a)));
  }

  writeCoils(start: number, values: boolean[]): Promise<void> {
    return this.#request(() => values.forEach((v, i) => this.#plant.writeCoil(start + i, v)));
  }

  writeRegister(addr: number, value: number): Promise<void> {
    return this.#request(() => this.#plant.writeHoldingRegister(addr, value));
  }

  #request<T>(op: () => T): Promise<T> {
    if (!this.#open) return Promise.reject(portLost('link not open'));
    const fault = this.#plant.fault;
    const clock = this.#plant.clock;
    return new Promise<T>((resolve, reject) => {
      const silent = fault === 'silent' || (fault === 'slow' && this.#plant.slowMs >= this.#timeoutMs);
      const after = silent ? this.#timeoutMs : fault === 'slow' ? this.#plant.slowMs : this.#latencyMs;
      const handle = clock.setTimeout(() => {
        this.#pending.delete(handle);
        if (silent) return reject(new DeviceError('door', DoorErrorCode.TIMEOUT, 'no answer within the response timeout'));
        // The request reaches the controller (and takes effect) even when its answer is garbled.
        let result: T;
        try {
          if (fault === 'exception') throw new PlantException(4, 'controller failure');
          result = op();
        } catch (err) {
          const code = err instanceof PlantException ? err.modbusErrorCode : 4;
          return reject(Object.assign(new DeviceError('door', DoorErrorCode.EXCEPTION, `controller answered exception ${code}`), { modbusCode: code }));
        }
        if (fault === 'bad_crc') return reject(new DeviceError('door', DoorErrorCode.BAD_FRAME, 'malformed answer: CRC error'));
        resolve(result);
      }, after);
      this.#pending.set(handle, reject);
    });
  }

  #failPending(err: DeviceError): void {
    for (const [handle, reject] of this.#pending) {
      this.#plant.clock.clearTimeout(handle);
      reject(err);
    }
    this.#pending.clear();
  }
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

function portLost(message: string): DeviceError {
  return new DeviceError('door', DoorErrorCode.PORT_LOST, message);
}
