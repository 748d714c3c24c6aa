import type { Clock, TimerHandle } from '../../core/clock.ts';

/**
 * Retries opening a device with exponential back-off on the injected Clock. One attempt
 * is pending at most; success resets the delay to its minimum.
 */
export class Reconnector {
  #timer: TimerHandle | undefined;
  #delay: number;

  constructor(
    private readonly clock: Clock,
    private readonly backoff: { min: number; max: number },
    private readonly attempt: () => void,
  ) {
    this.#delay = backoff.min;
  }

  /** Delay the next scheduled attempt will wait (ms). */
  get nextDelay(): number {
    return this.#delay;
  }

  get scheduled(): boolean {
    return this.#timer !== undefined;
  }

  schedule(): void {
    if (this.#timer) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.backoff.max);
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.attempt();
    }, delay);
  }

  succeeded(): void {
    this.#delay = this.backoff.min;
  }

  cancel(): void {
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#delay = this.backoff.min;
  }
}
