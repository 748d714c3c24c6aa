import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { decodeCommand, encodeResponse, type CommandApdu } from '../../icao/apdu.ts';
import { choosePace, parseCardAccess } from '../../icao/card-access.ts';
import { findTag, tlv } from '../../icao/tlv.ts';
import { CardRefusal, checkSetAt, chipCaSecret, chipMutualAuthenticate, ChipPace } from './sim-auth.ts';
import { kdf, KDF_ENC, KDF_MAC } from '../../icao/crypto.ts';
import { SmSession } from '../../icao/secure-messaging.ts';
import { openCommand, sealResponse, SmFault } from './sim-sm.ts';

/** What a simulated passport chip holds. */
export interface ChipImage {
  /** The data page's MRZ: the chip derives its BAC/PACE keys from it, like a real chip's personalisation. */
  mrz: readonly [string, string];
  /** Elementary files of the eMRTD application by file identifier (0x011E EF.COM, 0x0101 DG1, 0x011D EF.SOD…). */
  files: ReadonlyMap<number, Buffer>;
  /** EF.CardAccess in the master file; present means the chip offers PACE. */
  cardAccess?: Buffer;
  /** Active Authentication key (EC, PEM or KeyObject); present means INTERNAL AUTHENTICATE works. */
  aaPrivateKey?: KeyObject | string;
  /** Chip Authentication key (EC) matching DG14; present means MSE:Set KAT / Set AT for CA work. */
  caPrivateKey?: KeyObject | string;
  /** Whether BAC is accepted (a PACE-only chip refuses it). Default true. */
  bac?: boolean;
}

/** Faults the chip itself can show (transport faults live in the simulated reader). */
export type ChipFault = 'wrong-mac' | 'drop-sm';

export const EMRTD_AID = Buffer.from('A0000002471001', 'hex');
const SW_OK = 0x9000;

/**
 * A strict simulated eMRTD chip: SELECT (AID, FID, MF), READ BINARY (even with 15-bit
 * offsets or a short EF id, odd with DO'54' offsets), GET CHALLENGE, MUTUAL AUTHENTICATE
 * (BAC), MSE:Set AT + GENERAL AUTHENTICATE (PACE-GM), INTERNAL AUTHENTICATE (AA). Data
 * groups are refused (6982) until access control succeeds; after it, a command without a
 * valid MAC ends the session (6988) as real chips do.
 */
export class SimulatedChip {
  readonly #img: ChipImage;
  readonly #aaKey: KeyObject | undefined;
  readonly #caKey: KeyObject | undefined;
  #caProtocol: string | undefined;
  /** Keys agreed by Chip Authentication: they take over after the answer that agreed them. */
  #pending: SmSession | undefined;
  #appSelected = false;
  #current: Buffer | undefined;
  #challenge: Buffer | undefined;
  #pace: ChipPace | undefined;
  #sm: SmSession | undefined;
  #faults: { fault: ChipFault; after: number }[] = [];
  /** Protected responses sent in this session (for fault scheduling). */
  #responses = 0;

  constructor(image: ChipImage) {
    this.#img = image;
    this.#aaKey = typeof image.aaPrivateKey === 'string' ? createPrivateKey(image.aaPrivateKey) : image.aaPrivateKey;
    this.#caKey = typeof image.caPrivateKey === 'string' ? createPrivateKey(image.caPrivateKey) : image.caPrivateKey;
  }

  /** Test control: shows `fault` on the protected response after `after` more ones. */
  misbehave(fault: ChipFault, after = 0): void {
    this.#faults.push({ fault, after: this.#responses + after });
  }

  /** Power-on reset: selection and any session are gone. */
  reset(): void {
    this.#appSelected = false;
    this.#current = undefined;
    this.#challenge = undefined;
    this.#pace = undefined;
    this.#sm = undefined;
    this.#pending = undefined;
    this.#caProtocol = undefined;
  }

  get inSession(): boolean {
    return this.#sm !== undefined;
  }

  /** Processes one command APDU and returns the response APDU (never throws). */
  process(raw: Uint8Array): Buffer {
    let cmd: CommandApdu;
    const sm = this.#sm;
    try {
      if (sm) cmd = openCommand(sm, raw);
      else {
        cmd = decodeCommand(raw);
        if ((cmd.cla & 0x0c) === 0x0c) return encodeResponse(Buffer.alloc(0), 0x6988);
      }
    } catch (err) {
      this.#sm = undefined;
      return encodeResponse(Buffer.alloc(0), err instanceof SmFault ? 0x6988 : 0x6700);
    }
    let data: Buffer = Buffer.alloc(0);
    let sw = SW_OK;
    try {
      data = this.#execute(cmd);
    } catch (err) {
      sw = err instanceof CardRefusal ? err.sw : 0x6f00;
    }
    if (!sm || this.#sm !== sm) return encodeResponse(data, sw);
    const due = this.#faults.findIndex((f) => f.after <= this.#responses);
    this.#responses++;
    const fault = due >= 0 ? this.#faults.splice(due, 1)[0]!.fault : undefined;
    if (fault === 'drop-sm') {
      this.#sm = undefined;
      return encodeResponse(Buffer.alloc(0), 0x6987);
    }
    const sealed = sealResponse(sm, cmd.ins, data, sw, fault === 'wrong-mac');
    if (this.#pending) {
      this.#sm = this.#pending;
      this.#pending = undefined;
      this.#responses = 0;
    }
    return sealed;
  }

  #execute(c: CommandApdu): Buffer {
    switch (c.ins) {
      case 0xa4:
        return this.#select(c);
      case 0xb0:
      case 0xb1:
        return this.#read(c);
      case 0x84:
        if (this.#sm) throw new CardRefusal(0x6985, 'already authenticated');
        this.#challenge = randomBytes(8);
        return this.#challenge;
      case 0x82: {
        if (this.#img.bac === false) throw new CardRefusal(0x6d00, 'BAC not supported');
        if (!this.#appSelected) throw new CardRefusal(0x6985, 'application not selected');
        const { answer, session } = chipMutualAuthenticate({ lines: this.#img.mrz }, this.#challenge, c.data);
        this.#challenge = undefined;
        this.#startSession(session);
        return answer;
      }
      case 0x22:
        return this.#setAt(c);
      case 0x86: {
        if (this.#caProtocol) return this.#caGeneralAuthenticate(c);
        if (!this.#pace) throw new CardRefusal(0x6985, 'no MSE:Set AT');
        const { answer, session } = this.#pace.step(c.data);
        if (session) {
          this.#pace = undefined;
          this.#startSession(session);
        }
        return answer;
      }
      case 0x88:
        return this.#internalAuthenticate(c);
      default:
        throw new CardRefusal(0x6d00, 'instruction not supported');
    }
  }

  #startSession(s: SmSession): void {
    this.#sm = s;
    this.#responses = 0;
  }

  #select(c: CommandApdu): Buffer {
    const d = Buffer.from(c.data ?? []);
    if (c.p1 === 0x04) {
      if (!d.equals(EMRTD_AID)) throw new CardRefusal(0x6a82, 'application not found');
      this.#appSelected = true;
      this.#current = undefined;
      return Buffer.alloc(0);
    }
    if (c.p1 === 0x00 && d.length === 0) {
      this.#appSelected = false;
      this.#current = undefined;
      return Buffer.alloc(0);
    }
    if ((c.p1 === 0x02 || c.p1 === 0x00) && d.length === 2) {
      this.#current = this.#file(d.readUInt16BE(0));
      return Buffer.alloc(0);
    }
    throw new CardRefusal(0x6a86, 'selection not supported');
  }

  #file(fid: number): Buffer {
    if (fid === 0x011c && this.#img.cardAccess && !this.#appSelected) return this.#img.cardAccess;
    const f = this.#appSelected ? this.#img.files.get(fid) : undefined;
    if (!f) throw new CardRefusal(0x6a82, 'file not found');
    if (!this.#sm) throw new CardRefusal(0x6982, 'security status not satisfied');
    return f;
  }

  #read(c: CommandApdu): Buffer {
    let file = this.#current;
    let offset: number;
    if (c.ins === 0xb1) {
      const off = c.data && findTag(c.data, 0x54);
      if (!off || off.length < 1 || off.length > 3) throw new CardRefusal(0x6a80, 'no offset object');
      offset = off.value.readUIntBE(0, off.length);
    } else if (c.p1 & 0x80) {
      file = this.#file(0x0100 | (c.p1 & 0x1f)) ?? file;
      this.#current = file;
      offset = c.p2;
    } else {
      offset = ((c.p1 & 0x7f) << 8) | c.p2;
    }
    if (!file) throw new CardRefusal(0x6986, 'no current file');
    if (file !== this.#img.cardAccess && !this.#sm) throw new CardRefusal(0x6982, 'security status not satisfied');
    if (offset >= file.length) throw new CardRefusal(0x6b00, 'offset beyond the end');
    // Fewer bytes than Le near the end of the file, as real chips answer.
    const chunk = file.subarray(offset, offset + (c.le ?? 256));
    return c.ins === 0xb1 ? tlv(0x53, chunk) : Buffer.from(chunk);
  }

  #setAt(c: CommandApdu): Buffer {
    if (c.p1 === 0x41 && (c.p2 === 0xa6 || c.p2 === 0xa4)) return this.#caSet(c);
    if (c.p1 !== 0xc1 || c.p2 !== 0xa4) throw new CardRefusal(0x6a86, 'only MSE:Set AT for PACE');
    const info = this.#img.cardAccess ? choosePace(parseCardAccess(this.#img.cardAccess)) : undefined;
    if (!info) throw new CardRefusal(0x6a88, 'PACE not offered');
    checkSetAt(c.data, info);
    this.#pace = new ChipPace({ lines: this.#img.mrz }, info);
    return Buffer.alloc(0);
  }

  /** MSE:Set KAT (3DES: the key agreement happens here) or MSE:Set AT (AES: GENERAL AUTHENTICATE follows). */
  #caSet(c: CommandApdu): Buffer {
    if (!this.#sm) throw new CardRefusal(0x6982, 'security status not satisfied');
    if (!this.#caKey) throw new CardRefusal(0x6a88, 'chip authentication not supported');
    if (c.p2 === 0xa6) {
      const secret = chipCaSecret(this.#caKey, c.data && findTag(c.data, 0x91)?.value);
      this.#pending = new SmSession('3DES', kdf(secret, KDF_ENC, '3DES'), kdf(secret, KDF_MAC, '3DES'));
      return Buffer.alloc(0);
    }
    const oid = c.data && findTag(c.data, 0x80);
    if (!oid) throw new CardRefusal(0x6a80, 'no protocol');
    this.#caProtocol = oid.value.toString('hex');
    return Buffer.alloc(0);
  }

  #caGeneralAuthenticate(c: CommandApdu): Buffer {
    this.#caProtocol = undefined;
    const inner = c.data && findTag(c.data, 0x7c);
    const secret = chipCaSecret(this.#caKey!, inner && findTag(inner.value, 0x80)?.value);
    this.#pending = new SmSession('AES-128', kdf(secret, KDF_ENC, 'AES-128'), kdf(secret, KDF_MAC, 'AES-128'));
    return tlv(0x7c, Buffer.alloc(0));
  }

  #internalAuthenticate(c: CommandApdu): Buffer {
    if (!this.#sm) throw new CardRefusal(0x6982, 'security status not satisfied');
    if (!this.#aaKey) throw new CardRefusal(0x6d00, 'active authentication not supported');
    if (!c.data || c.data.length !== 8) throw new CardRefusal(0x6700, 'challenge must be 8 bytes');
    return sign('sha256', c.data, { key: this.#aaKey, dsaEncoding: 'ieee-p1363' });
  }
}
