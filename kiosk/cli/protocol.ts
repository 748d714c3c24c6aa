import { z } from 'zod';
import { CliError } from './errors.ts';

/**
 * The CLI speaks newline-delimited JSON over the gate's Unix socket: one request per line,
 * answered by one response line with the same `id` — or, for streamed answers (journal
 * export), by several lines with `more: true` and a last one without. Every command but
 * `login` carries the session token that `login` returned.
 */
export const requestSchema = z.object({
  id: z.union([z.number().int(), z.string().max(64)]),
  cmd: z.string().min(1).max(64),
  session: z.string().max(128).optional(),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type CliRequest = z.infer<typeof requestSchema>;

export type CliResponse =
  | { id: CliRequest['id']; ok: true; result?: unknown; more?: true }
  | { id: CliRequest['id'] | null; ok: false; error: { code: string; message: string } };

/** Longest request line: an enrolment photo travels base64-encoded inside one. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/**
 * Longest request line from someone not logged in: a login is a few hundred bytes, so
 * nobody who merely can open the socket makes the gate buffer megabytes.
 */
export const MAX_LINE_BYTES_BEFORE_LOGIN = 64 * 1024;

export interface LineLimits {
  /** Hard bound for every line. */
  maxBytes: number;
  /** Bound for a line that `allowLong` has not vouched for. */
  maxBytesUntrusted?: number;
  /**
   * Asked once per line when it grows past `maxBytesUntrusted`, with its first bytes as text
   * (the request's `id`, `cmd` and `session` come first): true lets the line grow to `maxBytes`.
   */
  allowLong?: (head: string) => boolean;
}

/** How much of a long line `allowLong` sees. */
const HEAD_BYTES = 1024;

/**
 * Splits a byte stream into lines, counting bytes (not UTF-16 units) and decoding each line
 * whole, so a character split across chunks arrives intact. A line longer than its bound is
 * an error (the peer is then dropped) as soon as the bound is passed, so a client that never
 * sends a newline cannot make the gate buffer forever.
 */
export class LineSplitter {
  readonly #limits: Required<Pick<LineLimits, 'maxBytes' | 'maxBytesUntrusted'>> & Pick<LineLimits, 'allowLong'>;
  #parts: Buffer[] = [];
  #size = 0;
  #trusted = false;

  constructor(limits: number | LineLimits = MAX_LINE_BYTES) {
    const l = typeof limits === 'number' ? { maxBytes: limits } : limits;
    this.#limits = { maxBytes: l.maxBytes, maxBytesUntrusted: l.maxBytesUntrusted ?? l.maxBytes, ...(l.allowLong ? { allowLong: l.allowLong } : {}) };
  }

  push(chunk: Buffer | string): string[] {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const lines: string[] = [];
    let i: number;
    while ((i = buf.indexOf(0x0a)) >= 0) {
      this.#add(buf.subarray(0, i));
      lines.push(Buffer.concat(this.#parts, this.#size).toString('utf8'));
      this.#parts = [];
      this.#size = 0;
      this.#trusted = false;
      buf = buf.subarray(i + 1);
    }
    if (buf.length > 0) this.#add(buf);
    return lines;
  }

  #add(part: Buffer): void {
    this.#parts.push(Buffer.from(part));
    this.#size += part.length;
    const l = this.#limits;
    if (this.#size > l.maxBytesUntrusted && !this.#trusted) {
      const head = Buffer.concat(this.#parts, this.#size).subarray(0, HEAD_BYTES).toString('utf8');
      this.#trusted = l.allowLong?.(head) ?? false;
      if (!this.#trusted) this.#fail(l.maxBytesUntrusted);
    }
    if (this.#size > l.maxBytes) this.#fail(l.maxBytes);
  }

  #fail(limit: number): never {
    this.#parts = [];
    this.#size = 0;
    this.#trusted = false;
    throw new CliError('BAD_REQUEST', `line longer than ${limit} bytes`);
  }
}
