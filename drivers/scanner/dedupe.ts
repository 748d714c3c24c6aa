import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';

/**
 * "The same thing again within the window is one read", shared by every scanner and card
 * reader of a gate (two scanners seeing the same phone give one read). The window slides:
 * it runs from the last sighting, so a code held still under a scanner that re-reads it
 * five times a second stays one read for as long as it is held. Only hashes are kept, so
 * no token text lingers in memory beyond the scan itself.
 */
export class Deduper {
  readonly #seen = new Map<string, number>();

  constructor(
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** True when `input` was seen within the window; records this sighting either way. */
  repeat(input: string | Uint8Array): boolean {
    const now = this.clock.monotonic();
    for (const [k, at] of this.#seen) if (now - at >= this.windowMs) this.#seen.delete(k);
    const key = createHash('sha256').update(input).digest('base64');
    const isRepeat = this.#seen.has(key);
    this.#seen.set(key, now);
    return isRepeat;
  }
}
