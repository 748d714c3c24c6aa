import type { Clock, TimerHandle } from '../../core/clock.ts';
import { shortHash } from '../scanner/interface.ts';

export type PairerOutput = { kind: 'mrz'; lines: [string, string] } | { kind: 'error'; message: string; digest: string; length: number };

/**
 * Pairs MRZ lines: 88 characters are one whole MRZ; 44 characters wait for a second line
 * within `windowMs`, after which a lone first line is dropped as an error (so it never
 * joins the next swipe). Anything else is an error at once. Whitespace at the ends is
 * trimmed; case is kept (lower case is the parser's MRZ_INVALID, not a framing problem).
 */
export class LinePairer {
  #first: string | undefined;
  #timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly emit: (out: PairerOutput) => void,
  ) {}

  push(raw: string): void {
    const line = raw.trim();
    if (line.length === 88) {
      this.#reset();
      this.emit({ kind: 'mrz', lines: [line.slice(0, 44), line.slice(44)] });
      return;
    }
    if (line.length !== 44) {
      this.#reset();
      this.emit({ kind: 'error', message: `not a TD3 MRZ line (${line.length} characters)`, digest: shortHash(line), length: line.length });
      return;
    }
    if (this.#first === undefined) {
      this.#first = line;
      this.#timer = this.clock.setTimeout(() => {
        const lone = this.#first ?? '';
        this.#first = undefined;
        this.emit({ kind: 'error', message: 'second MRZ line never came', digest: shortHash(lone), length: lone.length });
      }, this.windowMs);
      return;
    }
    const first = this.#first;
    this.#reset();
    this.emit({ kind: 'mrz', lines: [first, line] });
  }

  #reset(): void {
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#first = undefined;
  }

  stop(): void {
    this.#reset();
  }
}
