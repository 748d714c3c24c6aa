/**
 * One Modbus link to the controller, one request at a time, one attempt per call: retries,
 * serialisation, polling and fault timing live above it (polled-controller.ts), so the real
 * serial line and the in-process plant behave identically there.
 *
 * Every method rejects with a DeviceError (device 'door') whose code tells the caller what
 * a retry can fix: DOOR_TIMEOUT and DOOR_BAD_FRAME may succeed on a retry; DOOR_EXCEPTION is
 * the controller's definite answer (`modbusCode` set); DOOR_PORT_LOST means the link is
 * gone and must be reopened.
 */
export interface DoorTransport {
  /** Opens the link. Rejects with DOOR_PORT_LOST when the device is absent. */
  open(): Promise<void>;
  /** Closes the link; pending requests reject with DOOR_PORT_LOST. Never rejects. */
  close(): Promise<void>;
  readonly isOpen: boolean;
  /** Called once each time an open link is lost without close() (device unplugged). */
  onLost(fn: (err: Error) => void): void;

  readCoils(start: number, count: number): Promise<boolean[]>;
  readDiscreteInputs(start: number, count: number): Promise<boolean[]>;
  readInputRegisters(start: number, count: number): Promise<number[]>;
  readHoldingRegisters(start: number, count: number): Promise<number[]>;
  /** FC05 for one coil, FC15 for several consecutive coils. */
  writeCoils(start: number, values: boolean[]): Promise<void>;
  /** FC06. */
  writeRegister(addr: number, value: number): Promise<void>;
}

/**
 * A controller's register map as a slave serves it (the door plant, the kiosk's dispenser
 * plant): zero-based addresses, a PlantException for a refused request, and the wire
 * personality the slave and the in-process transport imitate ('silent', 'bad_crc',
 * 'exception', 'slow'; anything else is a healthy link).
 */
export interface RegisterMap {
  readonly clock: import('../../core/clock.ts').Clock;
  readonly fault: string;
  slowMs: number;
  readCoil(addr: number): boolean;
  writeCoil(addr: number, value: boolean): void;
  readInput(addr: number): boolean;
  readInputRegister(addr: number): number;
  readHoldingRegister(addr: number): number;
  writeHoldingRegister(addr: number, value: number): void;
}

/** Modbus exception codes used by the simulated controller (Modbus Application Protocol §7). */
export const ModbusException = {
  ILLEGAL_FUNCTION: 1,
  ILLEGAL_ADDRESS: 2,
  ILLEGAL_VALUE: 3,
  DEVICE_FAILURE: 4,
} as const;
