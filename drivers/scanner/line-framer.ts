import type { Clock, TimerHandle } from '../../core/clock.ts';
import { LineAssembler } from './line-assembler.ts';
import type { ScannerCore } from './scanner-core.ts';

/**
 * Line-mode framing for scanners that type or stream characters (serial, keyboard wedge):
 * scans end at the terminator; characters followed by `gapMs` of silence without one are
 * a broken scan (SCAN_FRAMING) and are dropped, so they never prefix the next scan.
 */
export class LineFramer {
  readonly #lines: LineAssembler;
  #gap: TimerHandle | undefined;

  constructor(
    private readonly opts: { suffix: string; gapMs: number; maxLength: number; clock: Clock; core: ScannerCore },
  ) {
    this.#lines = new LineAssembler(opts.suffix, opts.maxLength, {
      line: (text) => opts.core.offer(text),
      oversize: (sample) => opts.core.refuse('SCAN_OVERSIZE', `scan longer than ${opts.maxLength} characters`, sample),
    });
  }

  push(text: string): void {
    this.#lines.push(text);
    this.opts.clock.clearTimeout(this.#gap);
    this.#gap = undefined;
    if (this.#lines.pending === 0) return;
    this.#gap = this.opts.clock.setTimeout(() => {
      this.#gap = undefined;
      const broken = this.#lines.flush();
      if (broken) this.opts.core.refuse('SCAN_FRAMING', `scan broken off: no terminator within ${this.opts.gapMs} ms`, broken);
    }, this.opts.gapMs);
  }

  /** Forgets a partial scan (device lost or stopped). */
  reset(): void {
    this.opts.clock.clearTimeout(this.#gap);
    this.#gap = undefined;
    this.#lines.flush();
  }
}
