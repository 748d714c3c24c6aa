/**
 * The one source of time for everything that waits: crossing timers, Modbus retries,
 * heartbeat, camera stall detection, outbox back-off. Production uses the system clock;
 * tests and the demo advance a SimulatedClock instead of patching globals (uvu has no
 * fake timers, and patching globals leaks between suites).
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Monotonic milliseconds, for durations; never jumps with wall-clock changes. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

export class SystemClock implements Clock {
  #next = 1;
  readonly #timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(
      id,
      setTimeout(() => {
        this.#timers.delete(id);
        fn();
      }, ms),
    );
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.#timers.get(handle.id);
    if (t) clearTimeout(t);
    this.#timers.delete(handle.id);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, setInterval(fn, ms));
    return { id };
  }

  clearInterval(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.#timers.get(handle.id);
    if (t) clearInterval(t);
    this.#timers.delete(handle.id);
  }
}

interface PendingTimer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
  every?: number;
}

/**
 * A clock that only moves when told to. Timers fire in due order (ties in creation order),
 * and a timer scheduled by a firing timer fires in the same advance if it falls due.
 */
export class SimulatedClock implements Clock {
  #now: number;
  #mono = 0;
  #next = 1;
  #seq = 0;
  readonly #timers = new Map<number, PendingTimer>();

  constructor(startMs = Date.UTC(2026, 10, 23, 8, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { id, due: this.#mono + Math.max(0, ms), seq: this.#seq++, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.#timers.delete(handle.id);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    const every = Math.max(1, ms);
    this.#timers.set(id, { id, due: this.#mono + every, seq: this.#seq++, fn, every });
    return { id };
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#mono + ms;
    for (;;) {
      let first: PendingTimer | undefined;
      for (const t of this.#timers.values()) {
        if (t.due <= target && (!first || t.due < first.due || (t.due === first.due && t.seq < first.seq))) first = t;
      }
      if (!first) break;
      this.#now += first.due - this.#mono;
      this.#mono = first.due;
      if (first.every !== undefined) {
        first.due += first.every;
        first.seq = this.#seq++;
      } else {
        this.#timers.delete(first.id);
      }
      first.fn();
    }
    this.#now += target - this.#mono;
    this.#mono = target;
  }

  /** Sets the wall clock without moving monotonic time (to test clock skew). */
  setWallClock(ms: number): void {
    this.#now = ms;
  }
}
