import { swHex, SW_OK } from '../../icao/apdu.ts';
import type { ChipChannel } from './channel.ts';
import { PassportError } from '../../icao/errors.ts';
import { readHeader, tlv } from '../../icao/tlv.ts';

/** File identifiers of the LDS 1 elementary files the gate reads. */
export const FID = {
  cardAccess: 0x011c,
  com: 0x011e,
  sod: 0x011d,
  dg1: 0x0101,
  dg2: 0x0102,
  dg14: 0x010e,
  dg15: 0x010f,
} as const;

/** The largest EF the gate accepts (a DG2 of a few hundred KB is already unusual). */
export const MAX_FILE = 512 * 1024;

export interface ReadOptions {
  /** Bytes per READ BINARY; 223 keeps a secure-messaging answer inside a short APDU. */
  chunk?: number;
  /** Called after each chunk (progress for the display; no data is passed). */
  onChunk?: (read: number, total: number) => void;
}

async function readAt(ch: ChipChannel, offset: number, le: number): Promise<Buffer> {
  // Offsets past 15 bits need the odd READ BINARY with the offset in DO'54'.
  const r =
    offset > 0x7fff
      ? await ch.send({ cla: 0, ins: 0xb1, p1: 0, p2: 0, data: tlv(0x54, Buffer.from([offset >> 16, (offset >> 8) & 0xff, offset & 0xff])), le: Math.min(256, le + 4) })
      : await ch.send({ cla: 0, ins: 0xb0, p1: (offset >> 8) & 0x7f, p2: offset & 0xff, le });
  if (r.sw !== SW_OK && r.sw !== 0x6282) throw new PassportError('CHIP_UNREADABLE', `READ BINARY at ${offset}: chip answered ${swHex(r.sw)}`);
  if (offset <= 0x7fff) return r.data;
  try {
    const h = readHeader(r.data);
    if (h.tag !== 0x53) throw new Error('not DO53');
    return r.data.subarray(h.start, Math.min(r.data.length, h.start + h.length));
  } catch {
    throw new PassportError('CHIP_UNREADABLE', 'odd READ BINARY answer is not DO53');
  }
}

/**
 * Selects an EF and reads it whole: first its TLV header to learn the length, then the
 * rest in chunks. A missing file, a refusal, a short or empty answer is CHIP_UNREADABLE.
 */
export async function readFile(ch: ChipChannel, fid: number, opts: ReadOptions = {}): Promise<Buffer> {
  const chunk = Math.max(8, Math.min(opts.chunk ?? 223, 231));
  const sel = await ch.send({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fid >> 8, fid & 0xff]) });
  if (sel.sw !== SW_OK) throw new PassportError('CHIP_UNREADABLE', `SELECT ${fid.toString(16)}: chip answered ${swHex(sel.sw)}`);
  const head = await readAt(ch, 0, 8);
  let total: number;
  try {
    const h = readHeader(head);
    total = h.start + h.length;
  } catch {
    throw new PassportError('CHIP_UNREADABLE', `EF ${fid.toString(16)} does not start with a TLV header`);
  }
  if (total > MAX_FILE) throw new PassportError('CHIP_UNREADABLE', `EF ${fid.toString(16)} claims ${total} bytes`);
  const parts = [head.subarray(0, total)];
  let have = parts[0]!.length;
  while (have < total) {
    const got = await readAt(ch, have, Math.min(chunk, total - have));
    if (got.length === 0) throw new PassportError('CHIP_UNREADABLE', `EF ${fid.toString(16)} ended early`);
    parts.push(got.subarray(0, total - have));
    have += Math.min(got.length, total - have);
    opts.onChunk?.(have, total);
  }
  return Buffer.concat(parts);
}

/** Like readFile, but a file the chip does not have (6A82) gives undefined. */
export async function readOptionalFile(ch: ChipChannel, fid: number, opts: ReadOptions = {}): Promise<Buffer | undefined> {
  const sel = await ch.send({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fid >> 8, fid & 0xff]) });
  if (sel.sw === 0x6a82) return undefined;
  return readFile(ch, fid, opts);
}
