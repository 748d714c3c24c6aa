/**
 * The simulated controller's own record of what the master wrote, decoded from the request
 * frames it executed (FC05, FC15, FC06, FC16). The soak and the control-loop bench judge the
 * gate from this record, on the controller's side of the wire, never from the gate's logs:
 * a door release the gate forgot to journal still shows here.
 */

export interface RtuWrite {
  /** Coils (05, 15) or holding registers (06, 16). */
  table: 'coil' | 'holding';
  /** First address written. */
  addr: number;
  /** The values written from `addr` on (coils as 0/1). */
  values: number[];
  /** performance.now() in the controller's process when the frame was executed. */
  at: number;
  /** What the written addresses held just before (a coil the controller reset itself reads 0 here). */
  before?: number[];
}

/**
 * The write a CRC-checked request frame carries, or undefined for a read or an unknown
 * function. Only call it for frames the controller answered without an exception.
 */
export function decodeWrite(frame: Buffer, at: number): RtuWrite | undefined {
  const fc = frame[1];
  if (frame.length < 8) return undefined;
  const addr = frame.readUInt16BE(2);
  if (fc === 5) return { table: 'coil', addr, values: [frame.readUInt16BE(4) === 0xff00 ? 1 : 0], at };
  if (fc === 6) return { table: 'holding', addr, values: [frame.readUInt16BE(4)], at };
  const qty = frame.readUInt16BE(4);
  if (fc === 15) {
    const values: number[] = [];
    for (let i = 0; i < qty; i++) values.push((frame[7 + (i >> 3)]! >> (i & 7)) & 1);
    return { table: 'coil', addr, values, at };
  }
  if (fc === 16) {
    const values: number[] = [];
    for (let i = 0; i < qty; i++) values.push(frame.readUInt16BE(7 + 2 * i));
    return { table: 'holding', addr, values, at };
  }
  return undefined;
}
