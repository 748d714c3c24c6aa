import { decodeResponse, encodeCommand, SW_OK, swHex } from '../../icao/apdu.ts';
import { DeviceError } from '../../core/errors.ts';
import { FID, HKID_AID } from './card-image.ts';

/** Sends one APDU to the card and returns its answer (data ‖ SW); rejects when the card is gone. */
export interface ApduTransport {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

/** The three files of the HKID application as read (smart-id.md "Files"). */
export interface SmartIdFiles {
  readonly cred: Uint8Array;
  readonly photo: Uint8Array;
  readonly card: Uint8Array;
}

/** Upper bounds the reader stops at (smart-id.md check 1 decides on the sizes). */
export const READ_LIMITS = { cred: 4096, photo: 32 * 1024, card: 256 } as const;

/** Bytes asked per READ BINARY: a short Le every reader and card accepts. */
const CHUNK = 0xdf;
const SW_END_REACHED = 0x6282;
const SW_WRONG_OFFSET = 0x6b00;

async function command(t: ApduTransport, what: string, c: Parameters<typeof encodeCommand>[0]): Promise<{ data: Buffer; sw: number }> {
  let raw: Uint8Array;
  try {
    raw = await t.transmit(encodeCommand(c));
  } catch (err) {
    throw new DeviceError('card', 'CARD_UNREADABLE', `${what}: no answer from the card`, { cause: err });
  }
  if (raw.length < 2) throw new DeviceError('card', 'CARD_UNREADABLE', `${what}: answer shorter than a status word`);
  return decodeResponse(raw);
}

function ok(r: { sw: number }, what: string): void {
  if (r.sw !== SW_OK) throw new DeviceError('card', 'CARD_UNREADABLE', `${what}: status ${swHex(r.sw)}`);
}

/**
 * READ BINARY until the end of the file: short offsets (INS B0) below 32 KB, the odd INS B1
 * with an offset DO '54' above. A short answer, 6282 or 6B00 ends the file; reading stops
 * one byte past `limit` so an oversized file is seen as such without reading all of it.
 */
async function readFile(t: ApduTransport, fid: number, limit: number, name: string): Promise<Uint8Array> {
  ok(await command(t, `SELECT ${name}`, { cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fid >> 8, fid & 0xff]) }), `SELECT ${name}`);
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset <= limit) {
    const le = Math.min(CHUNK, limit + 1 - offset);
    const r = offset < 0x8000
      ? await command(t, `READ BINARY ${name}`, { cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le })
      : await readOdd(t, offset, le, name);
    if (r.sw === SW_WRONG_OFFSET) break;
    if (r.sw !== SW_OK && r.sw !== SW_END_REACHED) ok(r, `READ BINARY ${name}`);
    parts.push(r.data);
    offset += r.data.length;
    if (r.data.length < le || r.sw === SW_END_REACHED) break;
  }
  return Buffer.concat(parts);
}

async function readOdd(t: ApduTransport, offset: number, le: number, name: string): Promise<{ data: Buffer; sw: number }> {
  const r = await command(t, `READ BINARY ${name}`, { cla: 0, ins: 0xb1, p1: 0, p2: 0, data: Buffer.from([0x54, 0x03, offset >> 16, (offset >> 8) & 0xff, offset & 0xff]), le: le + 4 });
  // The answer is a DO '53' around the bytes read.
  if (r.data.length === 0) return r;
  if (r.data[0] !== 0x53) throw new DeviceError('card', 'CARD_UNREADABLE', `READ BINARY ${name}: odd answer without DO 53`);
  const len = r.data[1]! < 0x80 ? r.data[1]! : r.data[1] === 0x81 ? r.data[2]! : (r.data[2]! << 8) | r.data[3]!;
  const head = r.data[1]! < 0x80 ? 2 : r.data[1] === 0x81 ? 3 : 4;
  return { data: r.data.subarray(head, head + len), sw: r.sw };
}

/**
 * SELECT the HKID application, read EF.CRED, EF.PHOTO and EF.CARD. Rejects with a
 * DeviceError CARD_UNREADABLE on any failure (application absent, file missing, card gone).
 */
export async function readSmartIdFiles(t: ApduTransport): Promise<SmartIdFiles> {
  ok(await command(t, 'SELECT application', { cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: HKID_AID }), 'SELECT application');
  const cred = await readFile(t, FID.cred, READ_LIMITS.cred, 'EF.CRED');
  const photo = await readFile(t, FID.photo, READ_LIMITS.photo, 'EF.PHOTO');
  const card = await readFile(t, FID.card, READ_LIMITS.card, 'EF.CARD');
  return { cred, photo, card };
}

/** INTERNAL AUTHENTICATE (00 88 00 00, 32-byte challenge, Le 00): the chip's 64-byte r‖s. */
export async function internalAuthenticate(t: ApduTransport, challenge: Uint8Array): Promise<Uint8Array> {
  if (challenge.length !== 32) throw new DeviceError('card', 'CARD_CHALLENGE', 'the challenge is 32 bytes');
  const r = await command(t, 'INTERNAL AUTHENTICATE', { cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le: 256 });
  ok(r, 'INTERNAL AUTHENTICATE');
  return new Uint8Array(r.data);
}

/**
 * One presentation of a smart identity card, as both readers deliver it: the files read,
 * and INTERNAL AUTHENTICATE bound to the same transport. Resolves (never rejects) with the
 * read or with the CARD_UNREADABLE error, so a card pulled mid-read is an event, not a crash.
 */
export async function readSmartIdCard(t: ApduTransport, reader: string, now: () => number): Promise<import('./interface.ts').CardRead | DeviceError> {
  try {
    const started = performance.now();
    const files = await readSmartIdFiles(t);
    const readMs = performance.now() - started;
    return { credential: files.cred, reader, at: now(), smartId: { files, readMs, authenticate: (challenge) => internalAuthenticate(t, challenge) } };
  } catch (err) {
    return err instanceof DeviceError && err.code === 'CARD_UNREADABLE' ? new DeviceError(reader, 'CARD_UNREADABLE', err.message.replace(/^card: /, ''), { cause: err }) : new DeviceError(reader, 'CARD_UNREADABLE', 'card read failed', { cause: err });
  }
}
