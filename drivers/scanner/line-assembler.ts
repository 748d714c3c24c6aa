/**
 * Splits the character stream of a line-mode scanner (serial, keyboard wedge) into scans
 * at the configured terminator. Bounded: once more than `maxLength` characters arrive
 * without a terminator, the line is reported as oversize and everything up to the next
 * terminator is dropped, so a stuck or hostile source cannot grow memory and the next
 * good scan starts clean.
 */
export class LineAssembler {
  #buf = '';
  #discarding = false;

  constructor(
    private readonly suffix: string,
    private readonly maxLength: number,
    private readonly out: { line(text: string): void; oversize(sample: string): void },
  ) {
    if (suffix.length === 0) throw new RangeError('a line terminator is required');
  }

  /** Characters held towards an unfinished line (0 while discarding an oversize one). */
  get pending(): number {
    return this.#buf.length;
  }

  push(text: string): void {
    this.#buf += text;
    for (;;) {
      const at = this.#buf.indexOf(this.suffix);
      if (at < 0) break;
      const line = this.#buf.slice(0, at);
      this.#buf = this.#buf.slice(at + this.suffix.length);
      if (this.#discarding) this.#discarding = false;
      else if (line.length > this.maxLength) this.out.oversize(line);
      else this.out.line(line);
    }
    // Keep at most a possible partial terminator beyond maxLength before giving up on the line.
    if (this.#buf.length > this.maxLength + this.suffix.length - 1) {
      const keep = this.suffix.length - 1;
      if (!this.#discarding) this.out.oversize(this.#buf.slice(0, this.#buf.length - keep));
      this.#discarding = true;
      this.#buf = keep > 0 ? this.#buf.slice(-keep) : '';
    }
  }

  /** Ends an unfinished line (the source went quiet mid-scan) and returns it; '' if none. */
  flush(): string {
    const rest = this.#discarding ? '' : this.#buf;
    this.#buf = '';
    this.#discarding = false;
    return rest;
  }
}
