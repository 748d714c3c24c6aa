import { Bus } from '../../core/bus.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/log.ts';
import { DoorErrorCode } from '../door/interface.ts';
import type { DoorTransport } from '../door/transport.ts';
import { DispenserErrorCode, type CardDispenser, type CardDispenserEvents, type DispenserStatus } from './interface.ts';
import { DISPENSER_FAULT_BIT, KIOSK_IO, KIOSK_SIZES } from './plant.ts';

export interface ModbusDispenserOptions {
  name?: string;
  transport: DoorTransport;
  clock: Clock;
  log?: Logger;
  /** The kiosk's control loop is alive: only then is a heartbeat written (kiosk-io.md). */
  isControlLoopAlive: () => boolean;
  retries: number;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  reconnectIntervalMs: number;
  watchdogMs: number;
  mouthLimitS: number;
  moveTimeoutMs: number;
}

const C = KIOSK_IO.coils;
const H = KIOSK_IO.holdingRegisters;

/**
 * The card dispenser driver: a Modbus RTU master on the kiosk's controller (docs/kiosk-io.md),
 * over the door driver's transport (serial line or, in the twin, the plant in process). One
 * request at a time, retries for a timeout or a bad frame, a command coil watched until the
 * controller clears it, and the outcome read from the inputs and fault bits.
 */
export class ModbusCardDispenser implements CardDispenser {
  readonly name: string;
  readonly #o: ModbusDispenserOptions;
  readonly #log: Logger;
  readonly #bus = new Bus<CardDispenserEvents>();
  #queue: Promise<unknown> = Promise.resolve();
  #status: DispenserStatus | undefined;
  #running = false;
  #healthy = false;
  #faulted = false;
  #beat = 0;
  #poll: TimerHandle | undefined;
  #heartbeat: TimerHandle | undefined;
  #reconnect: TimerHandle | undefined;

  constructor(o: ModbusDispenserOptions) {
    this.#o = o;
    this.name = o.name ?? 'dispenser';
    this.#log = (o.log ?? silentLogger()).child({ part: 'dispenser' });
    this.#bus.onListenerError((err, event) => this.#log.error({ err, event }, 'dispenser listener threw'));
    o.transport.onLost((err) => this.#lost(err));
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  status(): DispenserStatus | undefined {
    return this.#status;
  }

  on<K extends keyof CardDispenserEvents>(event: K, fn: (payload: CardDispenserEvents[K]) => void): () => void {
    return this.#bus.on(event, fn);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#connect();
    const clock = this.#o.clock;
    this.#poll = clock.setInterval(() => void this.#pollOnce(), this.#o.pollIntervalMs);
    this.#heartbeat = clock.setInterval(() => void this.#beatOnce(), this.#o.heartbeatIntervalMs);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const clock = this.#o.clock;
    clock.clearInterval(this.#poll);
    clock.clearInterval(this.#heartbeat);
    clock.clearTimeout(this.#reconnect);
    await this.#queue.catch(() => {});
    await this.#o.transport.close();
    this.#healthy = false;
  }

  async fetch(slot: number): Promise<void> {
    await this.#request('set slot', (t) => t.writeRegister(H.slot, slot));
    await this.#move(C.fetch, 'fetch', (s) => s.cardAtReader);
  }

  present(): Promise<void> {
    // a resident quick enough takes the card before the move is confirmed: taken is arrived too
    return this.#move(C.present, 'present', (s) => s.cardAtMouth || s.cardTaken);
  }

  retain(): Promise<void> {
    return this.#move(C.retain, 'retain', (s) => !s.cardAtReader && !s.cardAtMouth);
  }

  async setSigns(signs: { mouthLight?: boolean; outOfService?: boolean }): Promise<void> {
    if (signs.mouthLight !== undefined) await this.#request('mouth_light', (t) => t.writeCoils(C.mouth_light, [signs.mouthLight!]));
    if (signs.outOfService !== undefined) await this.#request('out_of_service_sign', (t) => t.writeCoils(C.out_of_service_sign, [signs.outOfService!]));
  }

  /** Writes the command coil, waits until the controller clears it, then checks where the card is. */
  async #move(coil: number, what: string, arrived: (s: DispenserStatus) => boolean): Promise<void> {
    await this.#request(what, (t) => t.writeCoils(coil, [true]));
    const clock = this.#o.clock;
    const deadline = clock.monotonic() + this.#o.moveTimeoutMs;
    for (;;) {
      await new Promise<void>((r) => clock.setTimeout(r, this.#o.pollIntervalMs));
      const [running] = await this.#request(what, (t) => t.readCoils(coil, 1));
      if (!running) break;
      if (clock.monotonic() >= deadline) throw new DeviceError(this.name, DispenserErrorCode.TIMEOUT, `${what} did not end within ${this.#o.moveTimeoutMs} ms`);
    }
    const s = await this.#readStatus();
    if (arrived(s)) return;
    const f = s.faultBits;
    const code = f & DISPENSER_FAULT_BIT.watchdog ? DispenserErrorCode.TRIPPED
      : f & DISPENSER_FAULT_BIT.jam ? DispenserErrorCode.JAM
      : f & DISPENSER_FAULT_BIT.slotEmpty ? DispenserErrorCode.SLOT_EMPTY
      : DispenserErrorCode.REFUSED;
    throw new DeviceError(this.name, code, `${what} ended without the card where it should be (fault bits ${f})`);
  }

  /** One request in the queue, retried on a timeout or bad frame; a refusal is DISPENSER_REFUSED, the rest DISPENSER_OFFLINE. */
  #request<T>(what: string, op: (t: DoorTransport) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (!this.#running || !this.#o.transport.isOpen) throw new DeviceError(this.name, DispenserErrorCode.OFFLINE, `${what}: controller not connected`);
      for (let attempt = 0; ; attempt++) {
        try {
          return await op(this.#o.transport);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === DoorErrorCode.EXCEPTION) throw new DeviceError(this.name, DispenserErrorCode.REFUSED, `${what} refused by the controller`, { cause: err });
          const retry = code === DoorErrorCode.TIMEOUT || code === DoorErrorCode.BAD_FRAME;
          if (!retry || attempt >= this.#o.retries) throw new DeviceError(this.name, DispenserErrorCode.OFFLINE, `${what}: ${(err as Error).message}`, { cause: err });
        }
      }
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => {});
    return p;
  }

  async #readStatus(): Promise<DispenserStatus> {
    const i = await this.#request('read inputs', (t) => t.readDiscreteInputs(0, KIOSK_SIZES.inputs));
    const r = await this.#request('read registers', (t) => t.readInputRegisters(0, 2));
    const next: DispenserStatus = {
      cardAtReader: i[0]!, cardAtMouth: i[1]!, cardTaken: i[2]!, binFull: i[3]!, busy: i[4]!, tamper: i[5]!, binCount: r[0]!, faultBits: r[1]!,
    };
    const prev = this.#status;
    this.#status = next;
    if (!prev || JSON.stringify(prev) !== JSON.stringify(next)) this.#bus.emit('change', next);
    if (prev && !prev.cardTaken && next.cardTaken) this.#bus.emit('taken', { at: this.#o.clock.now() });
    return next;
  }

  async #pollOnce(): Promise<void> {
    if (!this.#running || !this.#o.transport.isOpen) return;
    try {
      await this.#readStatus();
      this.#up();
    } catch (err) {
      if ((err as { code?: string }).code === DispenserErrorCode.OFFLINE) this.#down(err as DeviceError);
    }
  }

  async #beatOnce(): Promise<void> {
    // A hung or dead control loop writes no heartbeat: the controller then retains the card.
    if (!this.#running || !this.#o.transport.isOpen || !this.#o.isControlLoopAlive()) return;
    this.#beat = (this.#beat % 0xffff) + 1;
    await this.#request('heartbeat', (t) => t.writeRegister(H.heartbeat, this.#beat)).catch(() => {});
  }

  async #connect(): Promise<void> {
    try {
      await this.#o.transport.open();
      await this.#request('watchdog_ms', (t) => t.writeRegister(H.watchdog_ms, this.#o.watchdogMs));
      await this.#request('mouth_limit_s', (t) => t.writeRegister(H.mouth_limit_s, this.#o.mouthLimitS));
      await this.#readStatus();
      this.#up();
    } catch (err) {
      this.#down(err instanceof DeviceError ? err : new DeviceError(this.name, DispenserErrorCode.OFFLINE, (err as Error).message));
      this.#scheduleReconnect();
    }
  }

  #scheduleReconnect(): void {
    if (!this.#running) return;
    this.#o.clock.clearTimeout(this.#reconnect);
    this.#reconnect = this.#o.clock.setTimeout(() => void this.#connect(), this.#o.reconnectIntervalMs);
  }

  #lost(err: Error): void {
    this.#down(new DeviceError(this.name, DispenserErrorCode.OFFLINE, err.message, { cause: err }));
    this.#scheduleReconnect();
  }

  #up(): void {
    this.#healthy = true;
    if (!this.#faulted) return;
    this.#faulted = false;
    this.#bus.emit('recovered', { at: this.#o.clock.now() });
  }

  #down(err: DeviceError): void {
    this.#healthy = false;
    if (this.#faulted || !this.#running) return;
    this.#faulted = true;
    this.#log.warn({ code: err.code }, 'dispenser offline');
    this.#bus.emit('fault', err);
  }
}
