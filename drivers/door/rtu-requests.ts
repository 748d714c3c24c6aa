import { createRequire } from 'node:module';
import { ModbusException, type RegisterMap } from './transport.ts';

// modbus-serial's own CRC and request handlers (the ones its ServerSerial uses). Its
// ServerSerial itself cannot serve the plant: it overwrites the CRC of every received frame
// with the computed one, so corrupted requests would be executed instead of dropped.
const require = createRequire(import.meta.url);
export const crc16 = require('modbus-serial/utils/crc16.js') as (buf: Buffer) => number;
(require('modbus-serial/utils/buffer_bit.js') as () => void)();
type Cb = (err: unknown, response?: Buffer) => void;
type Handler = (req: Buffer, vector: object, unit: number, cb: Cb, fc?: number) => void;
const handlers = require('modbus-serial/servers/servertcp_handler.js') as Record<string, Handler>;

/**
 * Length of the request frame that starts `buf` (unit, function, data, CRC), from its
 * function code; 0 while too few bytes arrived to tell; -1 for a function code we do not
 * know the length of (the frame then ends at the inter-frame silence).
 */
export function requestLength(buf: Buffer): number {
  if (buf.length < 2) return 0;
  const fc = buf[1]!;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length < 7 ? 0 : 9 + buf[6]!;
  return -1;
}

export function crcOk(frame: Buffer): boolean {
  return frame.length >= 4 && frame.readUInt16LE(frame.length - 2) === crc16(frame.subarray(0, -2));
}

/** Adds the CRC (little-endian, CRC-16/MODBUS) in the last two bytes of `frame`. */
export function sealFrame(frame: Buffer): Buffer {
  frame.writeUInt16LE(crc16(frame.subarray(0, -2)), frame.length - 2);
  return frame;
}

export function exceptionFrame(unit: number, fc: number, code: number): Buffer {
  return sealFrame(Buffer.from([unit, fc | 0x80, code, 0, 0]));
}

/** The quantity and field checks of the Modbus spec that come before any address check. */
function illegalValue(frame: Buffer): boolean {
  const fc = frame[1]!;
  const qty = frame.readUInt16BE(4);
  if (fc === 1 || fc === 2) return qty < 1 || qty > 2000;
  if (fc === 3 || fc === 4) return qty < 1 || qty > 125;
  if (fc === 5) return qty !== 0x0000 && qty !== 0xff00;
  if (fc === 15) return qty < 1 || qty > 1968 || frame[6] !== Math.ceil(qty / 8);
  if (fc === 16) return qty < 1 || qty > 123 || frame[6] !== qty * 2;
  return false;
}

/**
 * Answers one CRC-checked request frame addressed to this unit from the plant's register
 * map: the response frame, or an exception frame (01 unknown function, 02 bad address,
 * 03 bad quantity/value, 04 refused by the controller).
 */
export function answer(frame: Buffer, plant: RegisterMap): Buffer {
  const unit = frame[0]!;
  const fc = frame[1]!;
  const vector = {
    getCoil: (a: number) => plant.readCoil(a),
    getDiscreteInput: (a: number) => plant.readInput(a),
    getInputRegister: (a: number) => plant.readInputRegister(a),
    getHoldingRegister: (a: number) => plant.readHoldingRegister(a),
    setCoil: (a: number, v: boolean) => plant.writeCoil(a, v),
    setRegister: (a: number, v: number) => plant.writeHoldingRegister(a, v),
  };
  const run: Record<number, () => void> = {
    1: () => handlers.readCoilsOrInputDiscretes!(frame, vector, unit, cb, 1),
    2: () => handlers.readCoilsOrInputDiscretes!(frame, vector, unit, cb, 2),
    3: () => handlers.readMultipleRegisters!(frame, vector, unit, cb),
    4: () => handlers.readInputRegisters!(frame, vector, unit, cb),
    5: () => handlers.writeCoil!(frame, vector, unit, cb),
    6: () => handlers.writeSingleRegister!(frame, vector, unit, cb),
    15: () => handlers.forceMultipleCoils!(frame, vector, unit, cb),
    16: () => handlers.writeMultipleRegisters!(frame, vector, unit, cb),
  };
  let settled: Buffer | undefined;
  function cb(err: unknown, response?: Buffer): void {
    if (settled) return;
    if (err || !response) {
      const code = (err as { modbusErrorCode?: number } | undefined)?.modbusErrorCode;
      settled = exceptionFrame(unit, fc, typeof code === 'number' ? code : ModbusException.DEVICE_FAILURE);
      return;
    }
    response.writeUInt8(unit, 0);
    response.writeUInt8(fc, 1);
    settled = sealFrame(response);
  }
  const handler = run[fc];
  if (!handler) return exceptionFrame(unit, fc, ModbusException.ILLEGAL_FUNCTION);
  if (illegalValue(frame)) return exceptionFrame(unit, fc, ModbusException.ILLEGAL_VALUE);
  try {
    handler();
  } catch (err) {
    cb(err);
  }
  // The plant's getters and setters are synchronous, so the handler has answered by now;
  // one that stayed silent (a request shape it ignores) is a device failure, not a hang.
  return settled ?? exceptionFrame(unit, fc, ModbusException.DEVICE_FAILURE);
}
