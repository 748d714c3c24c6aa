import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../clock.ts';
import { isFromRelease, type FromRelease, type ToRelease } from './release-ipc.ts';

/** A release that exited, or did not answer within its bound: the health check's failures. */
export class ReleaseProcessError extends Error {
  constructor(
    readonly code: 'RELEASE_EXITED' | 'RELEASE_TIMEOUT',
    message: string,
  ) {
    super(message);
  }
}

export interface StartOptions {
  /** The slot directory: the release runs from <slot>/app with models in <slot>/models. */
  slotDir: string;
  argv: readonly string[];
  /** Arguments appended (the gate's configuration path). */
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  clock: Clock;
  /** The release's stdout/stderr go to the launcher's (journald) unless told otherwise. */
  stdio?: 'inherit' | 'ignore';
}

/**
 * One running release as a child process with an IPC channel. Every wait is bounded on the
 * injected clock and fails early when the child exits: a release that crashes on start is
 * known as soon as it dies, not at the end of a timeout.
 */
export class ReleaseProcess {
  readonly child: ChildProcess;
  readonly #clock: Clock;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exited: Promise<void>;
  readonly #inbox: FromRelease[] = [];
  #wake: (() => void) | undefined;

  constructor(o: StartOptions) {
    this.#clock = o.clock;
    const app = join(o.slotDir, 'app');
    // egate-release.json's argv: node options, then the script (relative to app/) last.
    const main = o.argv[o.argv.length - 1]!;
    this.child = fork(join(app, main), [...(o.args ?? [])], {
      cwd: app,
      execArgv: o.argv.slice(0, -1),
      env: { ...(o.env ?? process.env), EGATE_RELEASE_DIR: o.slotDir, EGATE_MODELS_DIR: join(o.slotDir, 'models') },
      stdio: o.stdio === 'ignore' ? ['ignore', 'ignore', 'ignore', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        this.#wake?.();
        resolve();
      });
    });
    this.child.on('error', () => {});
    this.child.on('message', (m: unknown) => {
      if (!isFromRelease(m)) return;
      this.#inbox.push(m);
      this.#wake?.();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.#exit !== undefined;
  }

  send(m: ToRelease): void {
    if (this.child.connected) this.child.send(m);
  }

  /** The next message of type `t` (earlier ones of other types are dropped), within `ms`. */
  async expect<T extends FromRelease['t']>(t: T | readonly T[], ms: number): Promise<Extract<FromRelease, { t: T }>> {
    const wanted = new Set<string>(Array.isArray(t) ? t : [t]);
    const deadline = this.#clock.monotonic() + ms;
    for (;;) {
      const i = this.#inbox.findIndex((m) => wanted.has(m.t));
      if (i >= 0) return this.#inbox.splice(i, 1)[0] as Extract<FromRelease, { t: T }>;
      if (this.#exit) throw new ReleaseProcessError('RELEASE_EXITED', `the release exited (code ${this.#exit.code}, signal ${this.#exit.signal}) before '${[...wanted].join('|')}'`);
      const left = deadline - this.#clock.monotonic();
      if (left <= 0) throw new ReleaseProcessError('RELEASE_TIMEOUT', `no '${[...wanted].join('|')}' from the release within ${ms} ms`);
      let timer: TimerHandle | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = this.#clock.setTimeout(resolve, left);
      });
      this.#clock.clearTimeout(timer);
      this.#wake = undefined;
    }
  }

  /** SIGTERM, then SIGKILL after `ms`; resolves once the process is gone. */
  async stop(ms: number): Promise<void> {
    if (this.#exit) return;
    this.child.kill('SIGTERM');
    let timer: TimerHandle | undefined;
    const bound = new Promise<'late'>((resolve) => (timer = this.#clock.setTimeout(() => resolve('late'), ms)));
    if ((await Promise.race([this.#exited.then(() => 'gone' as const), bound])) === 'late') {
      this.child.kill('SIGKILL');
      await this.#exited;
    }
    this.#clock.clearTimeout(timer);
  }

  /** Resolves when the process exits by itself. */
  waitExit(): Promise<void> {
    return this.#exited;
  }
}
