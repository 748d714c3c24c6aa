import { decodeCommand, encodeResponse, type CommandApdu } from '../../icao/apdu.ts';
import { blockSize, equalBytes, pad } from '../../icao/crypto.ts';
import type { SmSession } from '../../icao/secure-messaging.ts';
import { readAll, tlv } from '../../icao/tlv.ts';

/** The chip's side of secure messaging; throws SmFault when a command must be refused (6988). */
export class SmFault extends Error {}

/** Opens a protected command: checks the MAC over the padded header and odd DOs, decrypts DO'87'/'85'. */
export function openCommand(s: SmSession, raw: Uint8Array): CommandApdu {
  s.increment();
  const c = decodeCommand(raw);
  if ((c.cla & 0x0c) !== 0x0c) throw new SmFault('plain command inside a session');
  const body = c.data ?? Buffer.alloc(0);
  let dos;
  try {
    dos = readAll(body);
  } catch {
    throw new SmFault('malformed SM objects');
  }
  const mac = dos.find((d) => d.tag === 0x8e);
  if (!mac) throw new SmFault('MAC object missing');
  const header = pad(Buffer.from([c.cla, c.ins, c.p1, c.p2]), blockSize(s.suite));
  const covered = Buffer.concat([header, ...dos.filter((d) => d.tag & 1 && d.offset < mac.offset).map((d) => body.subarray(d.offset, d.end))]);
  if (!equalBytes(s.mac(covered), mac.value)) throw new SmFault('command MAC does not verify');
  const enc = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
  const leDo = dos.find((d) => d.tag === 0x97);
  let data: Buffer | undefined;
  if (enc) {
    try {
      data = s.decrypt(enc.tag === 0x87 ? enc.value.subarray(1) : enc.value);
    } catch {
      throw new SmFault('cryptogram does not decrypt');
    }
  }
  let le: number | undefined;
  if (leDo) {
    const v = leDo.value.length === 1 ? leDo.value[0]! : leDo.value.readUInt16BE(0);
    le = v === 0 ? (leDo.value.length === 1 ? 256 : 65536) : v;
  }
  return { cla: c.cla & ~0x0c & 0xff, ins: c.ins, p1: c.p1, p2: c.p2, ...(data ? { data } : {}), ...(le !== undefined ? { le } : {}) };
}

/** Protects a response: DO'87' (or '85' for odd INS) with the data, DO'99' with the status, DO'8E'. */
export function sealResponse(s: SmSession, ins: number, data: Uint8Array, sw: number, corruptMac = false): Buffer {
  s.increment();
  const dos: Buffer[] = [];
  if (data.length > 0) {
    const enc = s.encrypt(data);
    dos.push(ins & 1 ? tlv(0x85, enc) : tlv(0x87, Buffer.concat([Buffer.from([0x01]), enc])));
  }
  dos.push(tlv(0x99, Buffer.from([sw >> 8, sw & 0xff])));
  const mac = s.mac(Buffer.concat(dos));
  if (corruptMac) mac[0] = mac[0]! ^ 0x01;
  return encodeResponse(Buffer.concat([...dos, tlv(0x8e, mac)]), sw);
}
