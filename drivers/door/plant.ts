import { pedestrianRoles, vehicleRoles } from '../../config/sections/door.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { EgateError } from '../../core/errors.ts';
import type { DoorLayout } from './interface.ts';
import { Leaf } from './plant-leaf.ts';
import { Crowd, type SimPerson } from './plant-people.ts';
import { Traffic, type SimCar } from './plant-traffic.ts';
import { ModbusException } from './transport.ts';

/**
 * How the simulated controller misbehaves on the wire, by name (codebase.md):
 * `silent` never answers (cable pulled), `bad_crc` answers with a corrupted CRC,
 * `exception` answers every request with exception 04, `slow` answers after `slowMs`
 * (past the master's response timeout), `jammed_door` is a healthy link with the entry
 * door (or barrier) motor stuck (fault bit0).
 */
export type PlantFault = 'none' | 'silent' | 'bad_crc' | 'exception' | 'slow' | 'jammed_door';

/** A request the controller refuses; the slave turns it into a Modbus exception response. */
export class PlantException extends EgateError {
  readonly modbusErrorCode: number;
  constructor(modbusErrorCode: number, message: string) {
    super('PLANT_REFUSED', message);
    this.modbusErrorCode = modbusErrorCode;
  }
}

export interface PlantOptions {
  clock: Clock;
  layout?: DoorLayout;
  doorTravelMs?: number;
  barrierTravelMs?: number;
  watchdogMs?: number;
  firmwareVersion?: number;
  /** Scan cycle of the controller firmware. */
  tickMs?: number;
  passMs?: number;
  clearMs?: number;
  slowMs?: number;
}

export const FAULT_BIT = { entryMotor: 1, exitMotor: 2, obstructed: 4, watchdog: 8 } as const;
export const PLANT_SIZES = { coils: 8, inputs: 7, inputRegisters: 3, holdingRegisters: 2 } as const;

/**
 * The simulated door/barrier controller as one plant model, exactly the door-io.md register
 * map of either layout, driven only by the injected clock (no I/O): door travel, sensor zones
 * from simulated travellers or cars, the heartbeat watchdog, fire alarm, obstruction, tamper
 * and motor faults. The RTU slave and the in-process twin both serve this object.
 */
export class DoorPlant {
  readonly layout: DoorLayout;
  readonly clock: Clock;
  /** Delay of every answer under the 'slow' personality. */
  slowMs: number;
  readonly #coils = new Array<boolean>(PLANT_SIZES.coils).fill(false);
  readonly #holding: number[];
  /** watchdog_ms after power-on, before any master writes it (PlantOptions.watchdogMs). */
  readonly #powerOnWatchdogMs: number;
  readonly #firmware: number;
  readonly #tickMs: number;
  readonly #first: Leaf;
  readonly #second: Leaf | undefined;
  readonly #crowd: Crowd;
  readonly #traffic: Traffic;
  readonly #roles: typeof pedestrianRoles | typeof vehicleRoles;
  #fire = false;
  #tamper = false;
  #tripped = false;
  #fault: PlantFault = 'none';
  #lastBeatAt = 0;
  #lastTick = 0;
  #timer: TimerHandle | undefined;

  constructor(o: PlantOptions) {
    this.layout = o.layout ?? 'pedestrian';
    this.clock = o.clock;
    this.slowMs = o.slowMs ?? 400;
    this.#powerOnWatchdogMs = o.watchdogMs ?? 3000;
    this.#holding = [0, this.#powerOnWatchdogMs];
    this.#firmware = o.firmwareVersion ?? 0x0103;
    this.#tickMs = o.tickMs ?? 20;
    this.#roles = this.layout === 'vehicle' ? vehicleRoles : pedestrianRoles;
    if (this.layout === 'vehicle') {
      this.#first = new Leaf('barrier', o.barrierTravelMs ?? 1500);
    } else {
      this.#first = new Leaf('entry', o.doorTravelMs ?? 800);
      this.#second = new Leaf('exit', o.doorTravelMs ?? 800);
    }
    this.#crowd = new Crowd(o.clock, { passMs: o.passMs ?? 600, clearMs: o.clearMs ?? 500 });
    this.#traffic = new Traffic(o.clock, { underMs: 1500, exitMs: 1000, reverseMs: 1000 });
  }

  /** Powers the controller on: the scan cycle runs and the watchdog starts counting. */
  start(): void {
    if (this.#timer) return;
    this.#lastTick = this.#lastBeatAt = this.clock.monotonic();
    this.#timer = this.clock.setInterval(() => this.tick(), this.#tickMs);
  }

  stop(): void {
    this.clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  // ---- the register map (zero-based addresses; PlantException = Modbus exception) ----

  readCoil(addr: number): boolean {
    check(addr, PLANT_SIZES.coils);
    return this.#coils[addr]!;
  }

  writeCoil(addr: number, value: boolean): void {
    check(addr, PLANT_SIZES.coils);
    if (this.#fault === 'exception') throw new PlantException(ModbusException.DEVICE_FAILURE, 'controller failure');
    if (value && this.#tripped && this.#isRelease(addr)) {
      throw new PlantException(ModbusException.DEVICE_FAILURE, 'watchdog tripped: no door opens until a new heartbeat');
    }
    this.#coils[addr] = value;
  }

  readInput(addr: number): boolean {
    check(addr, PLANT_SIZES.inputs);
    const crowd = this.#crowd;
    const cars = this.#traffic;
    const v = this.layout === 'vehicle'
      ? [this.#first.closed, false, cars.count('approach') > 0, cars.count('under_barrier') > 0, cars.count('exit') > 0]
      : [this.#first.closed, this.#second!.closed, crowd.count('approach') > 0, crowd.count('mantrap') > 0, crowd.count('exit_zone') > 0];
    v.push(this.#fire, this.#tamper);
    return v[addr]!;
  }

  readInputRegister(addr: number): number {
    check(addr, PLANT_SIZES.inputRegisters);
    const count = this.layout === 'vehicle' ? this.#traffic.count('under_barrier') : this.#crowd.count('mantrap');
    return [Math.min(2, count), this.faultBits, this.#firmware][addr]!;
  }

  readHoldingRegister(addr: number): number {
    check(addr, PLANT_SIZES.holdingRegisters);
    return this.#holding[addr]!;
  }

  writeHoldingRegister(addr: number, value: number): void {
    check(addr, PLANT_SIZES.holdingRegisters);
    if (this.#fault === 'exception') throw new PlantException(ModbusException.DEVICE_FAILURE, 'controller failure');
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new PlantException(ModbusException.ILLEGAL_VALUE, 'not a 16-bit value');
    if (addr === this.#roles.holdingRegisters.heartbeat && value !== this.#holding[addr]) {
      this.#lastBeatAt = this.clock.monotonic();
      this.#tripped = false;
    }
    this.#holding[addr] = value;
  }

  // ---- what a test, the simulator or the demo reads and does to the gate ----

  get faultBits(): number {
    const second = this.#second;
    return (this.#first.jammed ? FAULT_BIT.entryMotor : 0) |
      (second?.jammed ? FAULT_BIT.exitMotor : 0) |
      (this.#first.obstructed || second?.obstructed ? FAULT_BIT.obstructed : 0) |
      (this.#tripped ? FAULT_BIT.watchdog : 0);
  }

  get tripped(): boolean {
    return this.#tripped;
  }

  get fault(): PlantFault {
    return this.#fault;
  }

  /** Sets the named misbehaviour (see PlantFault); 'none' restores a healthy controller. */
  setFault(fault: PlantFault): void {
    this.#fault = fault;
    this.#first.jammed = fault === 'jammed_door';
  }

  /**
   * The controller reboots (power cut, firmware reset): coils off, holding registers back at
   * their power-on values (heartbeat 0, its own default watchdog_ms), not tripped, the
   * watchdog counting from now. The leaves stay where they are and follow the cleared coils.
   */
  powerCycle(): void {
    this.#coils.fill(false);
    this.#holding.splice(0, this.#holding.length, 0, this.#powerOnWatchdogMs);
    this.#tripped = false;
    this.#lastBeatAt = this.clock.monotonic();
  }

  setFireAlarm(on: boolean): void {
    this.#fire = on;
  }

  setTamper(on: boolean): void {
    this.#tamper = on;
  }

  /** The leaf named 'entry', 'exit' (pedestrian) or 'barrier' (vehicle). */
  leaf(name: 'entry' | 'exit' | 'barrier'): Leaf {
    const l = [this.#first, this.#second].find((x) => x?.name === name);
    if (!l) throw new EgateError('PLANT_NO_LEAF', `no ${name} in the ${this.layout} layout`);
    return l;
  }

  /** Motor fault on one leaf: it stops where it is and its fault bit is set. */
  jam(name: 'entry' | 'exit' | 'barrier', on = true): void {
    this.leaf(name).jammed = on;
  }

  /** Something (a bag, a child) in the path of a leaf: a closing leaf stops (bit2). */
  block(name: 'entry' | 'exit' | 'barrier', on = true): void {
    this.leaf(name).blocked = on;
  }

  /** A new simulated traveller (pedestrian layout), 'away' until told to arrive. */
  traveller(id?: string): SimPerson {
    if (this.layout !== 'pedestrian') throw new EgateError('PLANT_LAYOUT', 'travellers walk through the pedestrian layout');
    return this.#crowd.person(id);
  }

  /** A new simulated car (vehicle layout), 'away' until told to arrive. */
  car(id?: string): SimCar {
    if (this.layout !== 'vehicle') throw new EgateError('PLANT_LAYOUT', 'cars drive through the vehicle layout');
    return this.#traffic.car(id);
  }

  /** Coil, input or input register by role name of this layout (for tests and the demo). */
  role(name: string): boolean | number | undefined {
    const r = this.#roles as unknown as Record<string, Record<string, number>>;
    if (r.coils![name] !== undefined) return this.#coils[r.coils![name]!];
    if (r.inputs![name] !== undefined) return this.readInput(r.inputs![name]!);
    if (r.inputRegisters![name] !== undefined) return this.readInputRegister(r.inputRegisters![name]!);
    return undefined;
  }

  /** One scan cycle; called by the clock after start(), or directly by a test. */
  tick(): void {
    const now = this.clock.monotonic();
    const dt = now - this.#lastTick;
    this.#lastTick = now;
    const wdMs = this.#holding[this.#roles.holdingRegisters.watchdog_ms]!;
    if (wdMs > 0 && !this.#tripped && now - this.#lastBeatAt >= wdMs) this.#trip();
    const coils = this.#roles.coils as Record<string, number>;
    if (this.layout === 'vehicle') {
      this.#traffic.tick(this.#first);
      const raise = this.#fire || this.#coils[coils.barrier_raise!]!;
      // The arm never comes down on a vehicle: it holds while loop_barrier sees one.
      this.#first.step(dt, raise, this.#traffic.count('under_barrier') > 0);
    } else {
      const second = this.#second!;
      this.#crowd.tick({ entry: this.#first, exit: second });
      const inEntry = this.#crowd.count('entry_doorway') > 0;
      const inExit = this.#crowd.count('exit_doorway') > 0;
      // Fire alarm: fail-safe egress, both doors open whatever the master commands.
      this.#stepWithPerson(this.#first, dt, this.#fire || this.#coils[coils.entry_release!]!, inEntry);
      this.#stepWithPerson(second, dt, this.#fire || this.#coils[coils.exit_release!]!, inExit);
    }
  }

  #stepWithPerson(leaf: Leaf, dt: number, wantOpen: boolean, personInDoorway: boolean): void {
    const scripted = leaf.blocked;
    leaf.blocked = scripted || personInDoorway;
    leaf.step(dt, wantOpen);
    leaf.blocked = scripted;
  }

  #trip(): void {
    this.#tripped = true;
    const coils = this.#roles.coils as Record<string, number>;
    for (const role of ['entry_release', 'exit_release', 'barrier_raise']) {
      if (coils[role] !== undefined) this.#coils[coils[role]!] = false;
    }
    this.#coils[coils.out_of_service_sign!] = true;
  }

  #isRelease(addr: number): boolean {
    const c = this.#roles.coils as Record<string, number>;
    return addr === c.entry_release || addr === c.exit_release || addr === c.barrier_raise;
  }
}

function check(addr: number, size: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr >= size) {
    throw new PlantException(ModbusException.ILLEGAL_ADDRESS, `address ${addr} outside 0..${size - 1}`);
  }
}
