/**
 * Waits that are honest about this process's own event loop (issue 11.3(d), 12.5).
 *
 * A Node timer that fires late means the loop was busy (another callback, a synchronous
 * write, the CPU taken by other processes). An answer from the controller may then be
 * sitting unread in the kernel's buffer: in the loop's next turn the timers phase runs
 * before the I/O phase, so a deadline timer would call "no answer" for a reply that
 * arrived on time. These helpers count only the time the process could have listened: a
 * timer that fires late does not count its lateness, and gives the I/O another turn first.
 */
import type { Clock, TimerHandle } from './clock.ts';

/** A timer firing later than this after its due time means our own loop was held up. */
export const LATE_SLACK_MS = 50;
/** After a late timer, how long the I/O gets to deliver what may be waiting. */
const GRACE_MS = 20;

export interface Deadline {
  cancel(): void;
}

/**
 * Calls `onExpire` once `ms` of listening time has passed: the last timer must have fired
 * on time (the loop was free to read an answer and none came). `capMs` of wall time expires
 * it whatever the loop did, so a process starved for ever still gives up.
 */
export function honestDeadline(clock: Clock, ms: number, onExpire: () => void, capMs = Math.max(10 * ms, 2000)): Deadline {
  const began = clock.monotonic();
  let handle: TimerHandle | undefined;
  const arm = (wait: number): void => {
    const due = clock.monotonic() + wait;
    handle = clock.setTimeout(() => {
      const now = clock.monotonic();
      if (now - due > LATE_SLACK_MS && now - began < capMs) return arm(GRACE_MS);
      handle = undefined;
      onExpire();
    }, wait);
  };
  arm(ms);
  return {
    cancel: () => {
      clock.clearTimeout(handle);
      handle = undefined;
    },
  };
}

/**
 * Own-loop lag seen by a periodic timer: `sample()` (called from that timer) returns how
 * much of the time since the previous call the loop was held up beyond the period and the
 * slack. Callers subtract it from any silence they measure.
 */
export class LoopLagMeter {
  readonly #clock: Clock;
  readonly #periodMs: number;
  #last: number;
  /** Largest hold-up seen, for stats. */
  maxLagMs = 0;

  constructor(clock: Clock, periodMs: number) {
    this.#clock = clock;
    this.#periodMs = periodMs;
    this.#last = clock.monotonic();
  }

  sample(): number {
    const now = this.#clock.monotonic();
    const lag = Math.max(0, now - this.#last - this.#periodMs - LATE_SLACK_MS);
    this.#last = now;
    if (lag > this.maxLagMs) this.maxLagMs = lag;
    return lag;
  }

  reset(): void {
    this.#last = this.#clock.monotonic();
  }
}
