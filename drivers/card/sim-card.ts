import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { decodeCommand, encodeResponse } from '../../icao/apdu.ts';
import { DeviceError } from '../../core/errors.ts';
import { HKID_AID, type CardImage } from './card-image.ts';
import type { ApduTransport } from './smart-id-read.ts';

/**
 * A smart identity card chip in software (smart-id.md), serving a make-card directory with
 * the APDUs scripts/vicc-hkid.py answers: SELECT by AID and FID, READ BINARY (B0, B1 with
 * DO 54/53), INTERNAL AUTHENTICATE. Test control: pullAfter(n) — the card leaves the field
 * after n more APDUs (every later transmit rejects, as PC/SC does for a removed card).
 */
export class SimulatedSmartCard implements ApduTransport {
  readonly #files: Map<number, Buffer>;
  readonly #key: KeyObject;
  #selectedApp = false;
  #file: Buffer | undefined;
  #left = Infinity;
  transmits = 0;

  constructor(image: Pick<CardImage, 'files' | 'chipKeyPem'>) {
    this.#files = image.files;
    this.#key = createPrivateKey(image.chipKeyPem);
  }

  pullAfter(n: number): void {
    this.#left = n;
  }

  get present(): boolean {
    return this.#left > 0;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    await new Promise((r) => setImmediate(r)); // a card answers later, never synchronously
    if (this.#left <= 0) throw new DeviceError('sim card', 'CHIP_REMOVED', 'card removed');
    this.#left--;
    this.transmits++;
    return this.#answer(apdu);
  }

  #answer(apdu: Uint8Array): Buffer {
    let c;
    try {
      c = decodeCommand(apdu);
    } catch {
      return encodeResponse(Buffer.alloc(0), 0x6700);
    }
    const data = Buffer.from(c.data ?? []);
    if (c.cla !== 0) return encodeResponse(Buffer.alloc(0), 0x6e00);
    if (c.ins === 0xa4 && c.p1 === 0x04) {
      this.#selectedApp = data.equals(HKID_AID);
      this.#file = undefined;
      return encodeResponse(Buffer.alloc(0), this.#selectedApp ? 0x9000 : 0x6a82);
    }
    if (!this.#selectedApp) return encodeResponse(Buffer.alloc(0), 0x6985);
    if (c.ins === 0xa4 && c.p1 === 0x02) {
      this.#file = data.length === 2 ? this.#files.get(data.readUInt16BE(0)) : undefined;
      return encodeResponse(Buffer.alloc(0), this.#file ? 0x9000 : 0x6a82);
    }
    if (c.ins === 0xb0 || c.ins === 0xb1) {
      if (!this.#file) return encodeResponse(Buffer.alloc(0), 0x6986);
      const odd = c.ins === 0xb1;
      if (odd && (data[0] !== 0x54 || data.length !== 2 + data[1]!)) return encodeResponse(Buffer.alloc(0), 0x6a80);
      const offset = odd ? data.subarray(2).reduce((a, b) => a * 256 + b, 0) : ((c.p1 & 0x7f) << 8) | c.p2;
      if (offset > this.#file.length) return encodeResponse(Buffer.alloc(0), 0x6b00);
      const want = (c.le ?? 256) - (odd ? 4 : 0);
      const chunk = this.#file.subarray(offset, offset + want);
      const body = odd ? Buffer.concat([Buffer.from(chunk.length < 0x80 ? [0x53, chunk.length] : [0x53, 0x82, chunk.length >> 8, chunk.length & 0xff]), chunk]) : chunk;
      return encodeResponse(body, chunk.length < want ? 0x6282 : 0x9000);
    }
    if (c.ins === 0x88 && c.p1 === 0 && c.p2 === 0) {
      if (data.length !== 32) return encodeResponse(Buffer.alloc(0), 0x6700);
      const sig = sign('sha256', Buffer.concat([Buffer.from('HKID-CA-1', 'ascii'), data]), { key: this.#key, dsaEncoding: 'ieee-p1363' });
      return encodeResponse(sig, 0x9000);
    }
    return encodeResponse(Buffer.alloc(0), 0x6d00);
  }
}
