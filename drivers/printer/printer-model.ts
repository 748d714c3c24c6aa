import type { PaperState } from './interface.ts';
import { statusReply } from './status-bytes.ts';

/**
 * What the receipt printer itself does with the bytes it receives, as a plain object: the
 * twin runs it in-process and the tests put it behind a pty as the printer at the far end
 * of the cable. It reads the ESC/POS stream command by command (so a DLE EOT inside an
 * image's data is not taken for a status query), answers status queries, and uses up paper
 * as it feeds lines. A command it does not know is counted in `unknown`, as a real printer
 * would print it as garbage: tests require zero.
 */
export class PrinterModel {
  paper: PaperState = 'ok';
  coverOpen = false;
  /** Paper left, in dot rows (a text line is 30 rows); at 0 the paper is out. */
  rowsLeft = Number.POSITIVE_INFINITY;
  unknown = 0;
  /** Status queries received (answered or not). */
  queries = 0;
  /** Test control: the printer takes bytes but its replies are lost (a broken receive wire). */
  mute = false;
  /** Everything received except the status queries, for the test to decode. */
  readonly printed: number[] = [];
  #pending: number[] = [];

  get online(): boolean {
    return !this.coverOpen && this.paper !== 'out';
  }

  /** Bytes from the computer; returns the printer's reply bytes (status answers). */
  receive(chunk: Uint8Array): Uint8Array {
    for (const byte of chunk) this.#pending.push(byte);
    const replies: number[] = [];
    for (;;) {
      const n = commandLength(this.#pending);
      if (n === 0) break; // incomplete: wait for more bytes
      const cmd = this.#pending.splice(0, n);
      if (cmd[0] === 0x10 && cmd[1] === 0x04) {
        this.queries++;
        if (!this.mute) replies.push(statusReply(cmd[2]!, this));
        continue;
      }
      if (n === 1 && cmd[0]! < 0x20 && cmd[0] !== 0x0a) this.unknown++;
      for (const byte of cmd) this.printed.push(byte);
      if (this.online) this.#use(rowsOf(cmd));
    }
    return Uint8Array.from(replies);
  }

  #use(rows: number): void {
    this.rowsLeft -= rows;
    if (this.rowsLeft <= 0) this.paper = 'out';
    else if (this.rowsLeft < 600 && this.paper === 'ok') this.paper = 'near-end';
  }
}

function rowsOf(cmd: number[]): number {
  if (cmd[0] === 0x0a) return 30;
  if (cmd[0] === 0x1b && cmd[1] === 0x64) return 30 * cmd[2]!;
  if (cmd[0] === 0x1d && cmd[1] === 0x76) return cmd[6]! + 256 * cmd[7]!;
  return 0;
}

/** Fixed parameter counts of the commands a slip may use (after the 2-byte command). */
const ESC_PARAMS: Record<number, number> = { 0x40: 0, 0x61: 1, 0x45: 1, 0x64: 1, 0x74: 1, 0x21: 1, 0x4d: 1 };
const GS_PARAMS: Record<number, number> = { 0x21: 1, 0x42: 1 };
const FS_PARAMS: Record<number, number> = { 0x26: 0, 0x2e: 0 };

/** Length of the first whole command or text byte in `b`; 0 when more bytes are needed. */
function commandLength(b: number[]): number {
  if (b.length === 0) return 0;
  const c = b[0]!;
  if (c !== 0x1b && c !== 0x1d && c !== 0x1c && c !== 0x10) return 1;
  if (b.length < 2) return 0;
  const fn = b[1]!;
  let n: number | undefined;
  if (c === 0x10) n = fn === 0x04 ? 3 : undefined;
  else if (c === 0x1b) n = ESC_PARAMS[fn] === undefined ? undefined : 2 + ESC_PARAMS[fn]!;
  else if (c === 0x1c) n = FS_PARAMS[fn] === undefined ? undefined : 2;
  else if (fn === 0x56) n = b.length < 3 ? 0 : b[2]! >= 65 ? 4 : 3;
  else if (fn === 0x76) n = b.length < 8 ? 0 : 8 + (b[4]! + 256 * b[5]!) * (b[6]! + 256 * b[7]!);
  else n = GS_PARAMS[fn] === undefined ? undefined : 2 + GS_PARAMS[fn]!;
  if (n === undefined) return 1; // an unknown command byte: printed as garbage, counted below
  return n === 0 || b.length < n ? 0 : n;
}
