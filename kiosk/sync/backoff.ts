/**
 * Exponential back-off with jitter: the n-th consecutive failure waits a random time in
 * [d/2, d] with d = min(max, min·2^(n-1)). The random half spreads a fleet of gates that lost
 * the broker at the same moment; the fixed half keeps one gate from hammering it.
 */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(opts: { min: number; max: number; random?: () => number }) {
    this.#min = Math.max(1, opts.min);
    this.#max = Math.max(this.#min, opts.max);
    this.#random = opts.random ?? Math.random;
  }

  /** Records a failure and returns how long to wait before the next try. */
  next(): number {
    this.#failures++;
    const d = Math.min(this.#max, this.#min * 2 ** Math.min(this.#failures - 1, 30));
    return Math.round(d / 2 + (d / 2) * this.#random());
  }

  reset(): void {
    this.#failures = 0;
  }

  get failures(): number {
    return this.#failures;
  }
}
