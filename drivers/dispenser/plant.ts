import type { Clock, TimerHandle } from '../../core/clock.ts';
import { EgateError } from '../../core/errors.ts';
import { PlantException } from '../door/plant.ts';
import { ModbusException, type RegisterMap } from '../door/transport.ts';

/** The kiosk layout of docs/kiosk-io.md, by role. */
export const KIOSK_IO = {
  coils: { fetch: 0, present: 1, retain: 2, mouth_light: 3, out_of_service_sign: 4 },
  inputs: { card_at_reader: 0, card_at_mouth: 1, card_taken: 2, bin_full: 3, busy: 4, tamper: 5 },
  inputRegisters: { bin_count: 0, fault_bits: 1, firmware_version: 2 },
  holdingRegisters: { heartbeat: 0, watchdog_ms: 1, slot: 2, mouth_limit_s: 3 },
} as const;
export const KIOSK_SIZES = { coils: 5, inputs: 6, inputRegisters: 3, holdingRegisters: 4 } as const;
export const DISPENSER_FAULT_BIT = { jam: 1, slotEmpty: 2, binFull: 4, watchdog: 8 } as const;

/** Wire personalities as the door plant's, plus a transport jam on a healthy link. */
export type DispenserFault = 'none' | 'silent' | 'bad_crc' | 'exception' | 'slow' | 'jam';

/** Where the one card in transit is. */
export type CardPlace = 'none' | 'reader' | 'mouth';

export interface DispenserPlantOptions {
  clock: Clock;
  slots?: number;
  moveMs?: number;
  watchdogMs?: number;
  binCapacity?: number;
  tickMs?: number;
}

/**
 * The simulated card dispenser controller: exactly the register map of docs/kiosk-io.md,
 * driven only by the injected clock. Test controls: load(slot, label), take() (the resident
 * takes the card from the mouth), setFault(), setTamper(), and what is where (place, bin).
 */
export class DispenserPlant implements RegisterMap {
  readonly clock: Clock;
  slowMs = 400;
  readonly slots: number;
  readonly binCapacity: number;
  readonly #moveMs: number;
  readonly #tickMs: number;
  readonly #coils = new Array<boolean>(KIOSK_SIZES.coils).fill(false);
  readonly #holding: number[];
  readonly #stacker = new Map<number, string>();
  /** Labels of the cards in the capture bin, in order (a test's record, not on the wire). */
  readonly bin: string[] = [];
  /** Labels of the cards residents took from the mouth. */
  readonly taken: string[] = [];
  #card: { label: string; place: Exclude<CardPlace, 'none'>; since: number } | undefined;
  #move: TimerHandle | undefined;
  #takenFlag = false;
  #slotEmpty = false;
  #tripped = false;
  #tamper = false;
  #fault: DispenserFault = 'none';
  #lastBeatAt = 0;
  #timer: TimerHandle | undefined;

  constructor(o: DispenserPlantOptions) {
    this.clock = o.clock;
    this.slots = o.slots ?? 50;
    this.#moveMs = o.moveMs ?? 600;
    this.binCapacity = o.binCapacity ?? 30;
    this.#tickMs = o.tickMs ?? 20;
    this.#holding = [0, o.watchdogMs ?? 3000, 1, 60];
  }

  /** Powers the controller on: the watchdog starts counting. */
  start(): void {
    if (this.#timer) return;
    this.#lastBeatAt = this.clock.monotonic();
    this.#timer = this.clock.setInterval(() => this.tick(), this.#tickMs);
  }

  stop(): void {
    this.clock.clearInterval(this.#timer);
    this.clock.clearTimeout(this.#move);
    this.#timer = this.#move = undefined;
  }

  // ---- the register map ----

  readCoil(addr: number): boolean {
    check(addr, KIOSK_SIZES.coils);
    return this.#coils[addr]!;
  }

  writeCoil(addr: number, value: boolean): void {
    check(addr, KIOSK_SIZES.coils);
    this.#refuseIfFailed();
    const c = KIOSK_IO.coils;
    if (addr === c.mouth_light || addr === c.out_of_service_sign) return void (this.#coils[addr] = value);
    if (!value) return; // a command ends by itself; writing 0 changes nothing
    if (this.#move) throw refused('a move is running');
    if (this.#tripped) throw refused('watchdog tripped: no move until a new heartbeat');
    if (this.#fault === 'jam') throw refused('transport jammed');
    if (addr === c.present && this.#card?.place !== 'reader') throw refused('no card at the reader to present');
    if (addr === c.retain && !this.#card) throw refused('no card to retain');
    if (addr === c.retain && this.bin.length >= this.binCapacity) throw refused('capture bin full');
    this.#coils[addr] = true;
    this.#move = this.clock.setTimeout(() => this.#finish(addr), this.#moveMs);
  }

  readInput(addr: number): boolean {
    check(addr, KIOSK_SIZES.inputs);
    return [this.#card?.place === 'reader', this.#card?.place === 'mouth', this.#takenFlag, this.bin.length >= this.binCapacity, this.#move !== undefined, this.#tamper][addr]!;
  }

  readInputRegister(addr: number): number {
    check(addr, KIOSK_SIZES.inputRegisters);
    return [this.bin.length, this.faultBits, 0x0100][addr]!;
  }

  readHoldingRegister(addr: number): number {
    check(addr, KIOSK_SIZES.holdingRegisters);
    return this.#holding[addr]!;
  }

  writeHoldingRegister(addr: number, value: number): void {
    check(addr, KIOSK_SIZES.holdingRegisters);
    this.#refuseIfFailed();
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new PlantException(ModbusException.ILLEGAL_VALUE, 'not a 16-bit value');
    const h = KIOSK_IO.holdingRegisters;
    if (addr === h.slot && (value < 1 || value > this.slots)) throw new PlantException(ModbusException.ILLEGAL_VALUE, 'no such slot');
    if (addr === h.mouth_limit_s && value === 0) throw new PlantException(ModbusException.ILLEGAL_VALUE, 'a card may not wait in the mouth for ever');
    if (addr === h.heartbeat && value !== this.#holding[addr]) {
      this.#lastBeatAt = this.clock.monotonic();
      this.#tripped = false;
    }
    this.#holding[addr] = value;
  }

  // ---- the firmware ----

  /** One scan cycle: the watchdog and the mouth backstop. */
  tick(): void {
    const now = this.clock.monotonic();
    const wd = this.#holding[KIOSK_IO.holdingRegisters.watchdog_ms]!;
    if (!this.#tripped && wd > 0 && now - this.#lastBeatAt >= wd) this.#trip();
    const card = this.#card;
    if (card?.place === 'mouth' && !this.#move && now - card.since >= this.#holding[KIOSK_IO.holdingRegisters.mouth_limit_s]! * 1000) this.#capture();
  }

  #trip(): void {
    this.#tripped = true;
    this.clock.clearTimeout(this.#move);
    this.#move = undefined;
    const c = KIOSK_IO.coils;
    this.#coils[c.fetch] = this.#coils[c.present] = this.#coils[c.retain] = this.#coils[c.mouth_light] = false;
    this.#coils[c.out_of_service_sign] = true;
    // A hung master must not leave a card in reach: whatever is in transit goes to the bin.
    if (this.#card && this.bin.length < this.binCapacity) this.#capture();
  }

  #finish(addr: number): void {
    this.#move = undefined;
    this.#coils[addr] = false;
    const c = KIOSK_IO.coils;
    if (this.#fault === 'jam') return; // stopped part way; the card stays inside
    if (addr === c.fetch) {
      this.#takenFlag = false;
      const slot = this.#holding[KIOSK_IO.holdingRegisters.slot]!;
      const label = this.#stacker.get(slot);
      this.#slotEmpty = label === undefined || this.#card !== undefined;
      if (this.#slotEmpty) return;
      this.#stacker.delete(slot);
      this.#card = { label: label!, place: 'reader', since: this.clock.monotonic() };
    } else if (addr === c.present && this.#card) {
      this.#card = { ...this.#card, place: 'mouth', since: this.clock.monotonic() };
    } else if (addr === c.retain) {
      this.#capture();
    }
  }

  #capture(): void {
    if (this.#card) this.bin.push(this.#card.label);
    this.#card = undefined;
  }

  #refuseIfFailed(): void {
    if (this.#fault === 'exception') throw new PlantException(ModbusException.DEVICE_FAILURE, 'controller failure');
  }

  get faultBits(): number {
    const b = DISPENSER_FAULT_BIT;
    return (this.#fault === 'jam' ? b.jam : 0) | (this.#slotEmpty ? b.slotEmpty : 0) | (this.bin.length >= this.binCapacity ? b.binFull : 0) | (this.#tripped ? b.watchdog : 0);
  }

  // ---- test controls ----

  get tripped(): boolean {
    return this.#tripped;
  }

  get fault(): DispenserFault {
    return this.#fault;
  }

  setFault(fault: DispenserFault): void {
    this.#fault = fault;
  }

  setTamper(on: boolean): void {
    this.#tamper = on;
  }

  /** Where the card in transit is, and which one. */
  get card(): { label: string; place: CardPlace } {
    return this.#card ? { label: this.#card.label, place: this.#card.place } : { label: '', place: 'none' };
  }

  /** A technician loads a personalised card into a slot (a label the test recognises). */
  load(slot: number, label: string): void {
    if (slot < 1 || slot > this.slots) throw new EgateError('DISPENSER_SLOT', `no slot ${slot}`);
    this.#stacker.set(slot, label);
  }

  /** The resident takes the card from the mouth; false if there is none to take. */
  take(): boolean {
    if (this.#card?.place !== 'mouth' || this.#move) return false;
    this.taken.push(this.#card.label);
    this.#card = undefined;
    this.#takenFlag = true;
    return true;
  }
}

function check(addr: number, size: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr >= size) throw new PlantException(ModbusException.ILLEGAL_ADDRESS, `address ${addr} outside the map`);
}

function refused(message: string): PlantException {
  return new PlantException(ModbusException.DEVICE_FAILURE, message);
}
