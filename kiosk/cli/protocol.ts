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
 * Splits a byte stream into lines; a line longer than `maxBytes` is an error (the peer is
 * then dropped), so a client that never sends a newline cannot make the gate buffer forever.
 */
export class LineSplitter {
  #buf = '';
  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer | string): string[] {
    this.#buf += chunk.toString();
    const lines: string[] = [];
    let i: number;
    while ((i = this.#buf.indexOf('\n')) >= 0) {
      lines.push(this.#buf.slice(0, i));
      this.#buf = this.#buf.slice(i + 1);
    }
    if (this.#buf.length > this.maxBytes) {
      this.#buf = '';
      throw new CliError('BAD_REQUEST', `line longer than ${this.maxBytes} bytes`);
    }
    return lines;
  }
}
