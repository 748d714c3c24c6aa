import type { PaperState, PrinterStatus } from './interface.ts';

/**
 * ESC/POS real-time status (DLE EOT n). Each reply is one byte with bit 1 and bit 4 set and
 * bits 0 and 7 clear, which is how a reply is told apart from noise on the line. The driver
 * asks three: n = 1 printer (bit 3 offline), n = 2 offline cause (bit 2 cover open),
 * n = 4 roll paper sensor (bits 2,3 near end; bits 5,6 paper end).
 */
export const STATUS_QUERIES = [1, 2, 4] as const;

export function statusQuery(n: (typeof STATUS_QUERIES)[number]): Uint8Array {
  return Uint8Array.of(0x10, 0x04, n);
}

const FIXED_MASK = 0b1001_0011;
const FIXED_BITS = 0b0001_0010;

export function isStatusByte(b: number): boolean {
  return (b & FIXED_MASK) === FIXED_BITS;
}

/** The printer's reply to DLE EOT n, as the twin and the test printer give it. */
export function statusReply(n: number, s: { online: boolean; paper: PaperState; coverOpen: boolean }): number {
  if (n === 1) return FIXED_BITS | (s.online ? 0 : 0x08);
  if (n === 2) return FIXED_BITS | (s.coverOpen ? 0x04 : 0) | (s.paper === 'out' ? 0x20 : 0);
  if (n === 4) return FIXED_BITS | (s.paper === 'near-end' ? 0x0c : 0) | (s.paper === 'out' ? 0x6c : 0);
  throw new RangeError(`no DLE EOT ${n}`);
}

/** The three reply bytes, in STATUS_QUERIES order, as one status. */
export function decodeStatus(printer: number, cause: number, paper: number): PrinterStatus {
  const roll: PaperState = paper & 0x60 ? 'out' : paper & 0x0c ? 'near-end' : 'ok';
  return { online: (printer & 0x08) === 0, paper: roll, coverOpen: (cause & 0x04) !== 0 };
}
