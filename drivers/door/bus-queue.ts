/**
 * The Modbus line carries one transaction at a time (RTU has no transaction ids). This queue
 * serialises them with two classes: urgent jobs (the heartbeat, door commands) go before
 * every queued routine job (polls), and a job that must be retried goes back into the
 * queue, so an urgent job waits for at most one attempt on the wire — never for a poll's
 * whole run of reads and retries on a silent line (issue 11.3(d)).
 */

interface Job {
  attempt: () => Promise<unknown>;
  /** Decides after a failed attempt: the error to give up with, or undefined to retry. */
  onFail: (err: unknown) => unknown;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
  urgent: boolean;
}

export class BusQueue {
  readonly #jobs: Job[] = [];
  #busy = false;
  #idle: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;

  /**
   * Runs `attempt` when the line is free; after a failure `onFail` returns the error to
   * reject with, or undefined to queue another attempt (ahead of routine jobs that came later).
   */
  run<T>(attempt: () => Promise<T>, urgent: boolean, onFail: (err: unknown) => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#enqueue({ attempt, onFail, resolve: resolve as (v: unknown) => void, reject, urgent }, false);
    });
  }

  /** Resolves once no job is queued or on the wire. */
  drained(): Promise<void> {
    return this.#idle;
  }

  get length(): number {
    return this.#jobs.length;
  }

  #enqueue(job: Job, retry: boolean): void {
    if (job.urgent || retry) {
      // Urgent jobs in arrival order before routine ones; a retry goes first of its class.
      const firstRoutine = this.#jobs.findIndex((j) => !j.urgent);
      const at = job.urgent
        ? retry ? 0 : firstRoutine === -1 ? this.#jobs.length : firstRoutine
        : firstRoutine === -1 ? this.#jobs.length : firstRoutine;
      this.#jobs.splice(at, 0, job);
    } else {
      this.#jobs.push(job);
    }
    if (!this.#busy) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#busy = true;
    this.#idle = new Promise((r) => (this.#wake = r));
    for (let job = this.#jobs.shift(); job; job = this.#jobs.shift()) {
      try {
        job.resolve(await job.attempt());
      } catch (err) {
        const giveUp = job.onFail(err);
        if (giveUp === undefined) this.#enqueue(job, true);
        else job.reject(giveUp);
      }
    }
    this.#busy = false;
    this.#wake?.();
  }
}
