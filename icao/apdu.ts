/**
 * ISO 7816-4 command and response APDUs, short and extended. `le` counts expected bytes:
 * 256 is written as short Le 00, 65536 as extended Le 0000; undefined means no Le field.
 */
export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  le?: number;
}

export interface ResponseApdu {
  data: Buffer;
  sw: number;
}

export const SW_OK = 0x9000;

export function encodeCommand(c: CommandApdu): Buffer {
  const data = c.data ?? Buffer.alloc(0);
  const extended = data.length > 255 || (c.le ?? 0) > 256;
  const parts: Buffer[] = [Buffer.from([c.cla, c.ins, c.p1, c.p2])];
  if (data.length > 0) {
    parts.push(extended ? Buffer.from([0, data.length >> 8, data.length & 0xff]) : Buffer.from([data.length]));
    parts.push(Buffer.from(data));
  }
  if (c.le !== undefined) {
    const le = c.le;
    if (extended) {
      const v = le === 65536 ? 0 : le;
      parts.push(data.length > 0 ? Buffer.from([v >> 8, v & 0xff]) : Buffer.from([0, v >> 8, v & 0xff]));
    } else {
      parts.push(Buffer.from([le === 256 ? 0 : le]));
    }
  }
  return Buffer.concat(parts);
}

/** Parses a command APDU (the simulated chip's side); throws on an inconsistent length. */
export function decodeCommand(b: Uint8Array): CommandApdu & { extended: boolean } {
  if (b.length < 4) throw new Error('APDU shorter than its header');
  const head = { cla: b[0]!, ins: b[1]!, p1: b[2]!, p2: b[3]! };
  const body = b.subarray(4);
  if (body.length === 0) return { ...head, extended: false };
  if (body.length === 1) return { ...head, le: body[0] === 0 ? 256 : body[0]!, extended: false };
  if (body[0] !== 0) {
    const lc = body[0]!;
    if (body.length === 1 + lc) return { ...head, data: Buffer.from(body.subarray(1)), extended: false };
    if (body.length === 2 + lc) return { ...head, data: Buffer.from(body.subarray(1, 1 + lc)), le: body[1 + lc] === 0 ? 256 : body[1 + lc]!, extended: false };
    throw new Error('short APDU length mismatch');
  }
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { ...head, le: le === 0 ? 65536 : le, extended: true };
  }
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new Error('extended Lc of zero');
  if (body.length === 3 + lc) return { ...head, data: Buffer.from(body.subarray(3)), extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { ...head, data: Buffer.from(body.subarray(3, 3 + lc)), le: le === 0 ? 65536 : le, extended: true };
  }
  throw new Error('extended APDU length mismatch');
}

/** Splits a response into data and status word; a response needs at least SW1 SW2. */
export function decodeResponse(b: Uint8Array): ResponseApdu {
  if (b.length < 2) throw new Error('response shorter than a status word');
  return { data: Buffer.from(b.subarray(0, b.length - 2)), sw: (b[b.length - 2]! << 8) | b[b.length - 1]! };
}

export function encodeResponse(data: Uint8Array, sw: number): Buffer {
  return Buffer.concat([data, Buffer.from([sw >> 8, sw & 0xff])]);
}

export function swHex(sw: number): string {
  return sw.toString(16).padStart(4, '0').toUpperCase();
}
