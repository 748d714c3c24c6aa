import { decodeResponse, encodeCommand, type CommandApdu, type ResponseApdu } from './apdu.ts';
import { aesEcb, blockSize, decrypt, encrypt, equalBytes, pad, smMac, unpad, type CipherSuite } from './crypto.ts';
import { PassportError } from './errors.ts';
import { readAll, tlv } from './tlv.ts';

/**
 * Session keys and send sequence counter of one secure-messaging session (Part 11 §9.8).
 * The counter is 8 bytes for 3DES and 16 for AES and is incremented before every
 * protected command and every response, on both sides.
 */
export class SmSession {
  readonly suite: CipherSuite;
  readonly ksEnc: Buffer;
  readonly ksMac: Buffer;
  #ssc: Buffer;

  constructor(suite: CipherSuite, ksEnc: Uint8Array, ksMac: Uint8Array, ssc?: Uint8Array) {
    this.suite = suite;
    this.ksEnc = Buffer.from(ksEnc);
    this.ksMac = Buffer.from(ksMac);
    this.#ssc = ssc ? Buffer.from(ssc) : Buffer.alloc(blockSize(suite));
    if (this.#ssc.length !== blockSize(suite)) throw new Error('send sequence counter of the wrong size');
  }

  get ssc(): Buffer {
    return Buffer.from(this.#ssc);
  }

  increment(): void {
    for (let i = this.#ssc.length - 1; i >= 0; i--) {
      this.#ssc[i] = (this.#ssc[i]! + 1) & 0xff;
      if (this.#ssc[i] !== 0) break;
    }
  }

  /** 3DES uses a zero IV; AES encrypts the counter under KSenc to make the IV. */
  iv(): Buffer | null {
    return this.suite === '3DES' ? null : aesEcb(this.ksEnc, this.#ssc);
  }

  mac(data: Uint8Array): Buffer {
    return smMac(this.suite, this.ksMac, pad(Buffer.concat([this.#ssc, data]), blockSize(this.suite)));
  }

  encrypt(plain: Uint8Array): Buffer {
    return encrypt(this.suite, this.ksEnc, this.iv(), pad(plain, blockSize(this.suite)));
  }

  decrypt(cryptogram: Uint8Array): Buffer {
    if (cryptogram.length === 0 || cryptogram.length % blockSize(this.suite) !== 0) throw new Error('cryptogram not whole blocks');
    return unpad(decrypt(this.suite, this.ksEnc, this.iv(), cryptogram));
  }
}

/** DO'97': Le as one byte (00 = 256) or two (0000 = 65536). */
export function encodeLe(le: number, extended: boolean): Buffer {
  if (extended) return Buffer.from([(le >> 8) & 0xff, le & 0xff]);
  return Buffer.from([le & 0xff]);
}

/** Terminal side: protects a command APDU (the plain CLA must not already signal SM). */
export function protectCommand(s: SmSession, cmd: CommandApdu): Buffer {
  s.increment();
  const cla = cmd.cla | 0x0c;
  const header = pad(Buffer.from([cla, cmd.ins, cmd.p1, cmd.p2]), blockSize(s.suite));
  const dos: Buffer[] = [];
  if (cmd.data && cmd.data.length > 0) {
    const enc = s.encrypt(cmd.data);
    // Odd INS carries BER-TLV data: DO'85' without the padding-content indicator.
    dos.push(cmd.ins & 1 ? tlv(0x85, enc) : tlv(0x87, Buffer.concat([Buffer.from([0x01]), enc])));
  }
  const extended = (cmd.le ?? 0) > 256 || (cmd.data?.length ?? 0) > 200;
  if (cmd.le !== undefined) dos.push(tlv(0x97, encodeLe(cmd.le, extended)));
  const body = Buffer.concat(dos);
  const mac = s.mac(Buffer.concat([header, body]));
  const data = Buffer.concat([body, tlv(0x8e, mac)]);
  return encodeCommand({ cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data, le: extended ? 65536 : 256 });
}

/**
 * Terminal side: checks and opens a protected response. A missing or wrong MAC, a
 * response without secure messaging, or a cryptogram that does not decrypt is SM_ERROR:
 * the chip (or something between) broke the session and nothing after it can be trusted.
 */
export function unprotectResponse(s: SmSession, raw: Uint8Array): ResponseApdu {
  s.increment();
  let outer: ResponseApdu;
  try {
    outer = decodeResponse(raw);
  } catch {
    throw new PassportError('SM_ERROR', 'response shorter than a status word');
  }
  if (outer.data.length === 0) throw new PassportError('SM_ERROR', `response without secure messaging (SW ${outer.sw.toString(16)})`);
  let dos;
  try {
    dos = readAll(outer.data);
  } catch {
    throw new PassportError('SM_ERROR', 'malformed secure-messaging objects');
  }
  const macDo = dos.find((d) => d.tag === 0x8e);
  if (!macDo || macDo.length !== 8) throw new PassportError('SM_ERROR', 'response MAC missing');
  const macIndex = dos.indexOf(macDo);
  const covered = Buffer.concat(dos.slice(0, macIndex).filter((d) => d.tag & 1).map((d) => outer.data.subarray(d.offset, d.end)));
  if (!equalBytes(s.mac(covered), macDo.value)) throw new PassportError('SM_ERROR', 'response MAC does not verify');
  const swDo = dos.find((d) => d.tag === 0x99);
  if (!swDo || swDo.length !== 2) throw new PassportError('SM_ERROR', 'response status object missing');
  const sw = (swDo.value[0]! << 8) | swDo.value[1]!;
  // The outer status word is outside the MAC; it must repeat the protected one.
  if (sw !== outer.sw) throw new PassportError('SM_ERROR', 'status word differs from the protected one');
  const enc = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
  let data: Buffer = Buffer.alloc(0);
  if (enc) {
    const body = enc.tag === 0x87 ? enc.value.subarray(1) : enc.value;
    if (enc.tag === 0x87 && enc.value[0] !== 0x01) throw new PassportError('SM_ERROR', 'unknown padding indicator');
    try {
      data = s.decrypt(body);
    } catch {
      throw new PassportError('SM_ERROR', 'response cryptogram does not decrypt');
    }
  }
  return { data, sw };
}
