import type { Clock } from '../clock.ts';
import type { GateControlApi } from '../control-types.ts';
import type { Logger } from '../log.ts';
import type { FromRelease, SelfCheck, ToRelease } from './release-ipc.ts';
import type { SelfTestResult } from './self-test-crossing.ts';

/** The IPC channel to the launcher: the process's own when it was started with one. */
export interface ReleaseChannel {
  send(m: FromRelease): void;
  onMessage(fn: (m: ToRelease) => void): void;
  onDisconnect(fn: () => void): void;
}

export function processChannel(): ReleaseChannel | undefined {
  if (!process.send) return undefined;
  return {
    send: (m) => {
      if (process.connected) process.send!(m);
    },
    onMessage: (fn) => process.on('message', (m) => fn(m as ToRelease)),
    onDisconnect: (fn) => process.on('disconnect', fn),
  };
}

export interface ReleaseLinkOptions {
  clock: Clock;
  log: Logger;
  /** True while the crossing engine's control loop ticks. */
  isAlive: () => boolean;
  /** How long the doors may take to report closed once the lane is out of service. */
  closeBoundMs?: number;
  /** The self-test crossing on the door twin (self-test-crossing.ts), run when the launcher asks. */
  selfTest?: () => Promise<SelfTestResult>;
}

/** Door inputs that say "closed" for each layout (door-io.md). */
const CLOSED_INPUTS = ['entry_closed', 'exit_closed', 'barrier_down'];

/**
 * The gate's end of the launcher link (kiosk/update/release-ipc.ts). Drain waits for the
 * crossing in progress to finish — a switch never cuts a traveller's crossing short — then
 * takes the lane out of service through the same path as a technician (durable, so the next
 * release starts out of service too) and answers once every door reports closed.
 */
export class ReleaseLink {
  readonly #control: GateControlApi;
  readonly #channel: ReleaseChannel;
  readonly #o: ReleaseLinkOptions;
  #draining = false;

  constructor(control: GateControlApi, channel: ReleaseChannel, o: ReleaseLinkOptions) {
    this.#control = control;
    this.#channel = channel;
    this.#o = o;
    channel.onMessage((m) => void this.#on(m));
  }

  ready(release?: string): void {
    this.#channel.send(release ? { t: 'ready', release } : { t: 'ready' });
  }

  async #on(m: ToRelease): Promise<void> {
    if (m.t === 'drain') await this.#drain();
    else if (m.t === 'resume') {
      const r = this.#control.setMode('in_service', 'update');
      if (!r.ok) this.#o.log.warn({ code: r.code }, 'update: lane not back in service');
      this.#channel.send({ t: 'resumed' });
    } else if (m.t === 'health?') this.#channel.send(this.health());
    else if (m.t === 'self_test?') this.#channel.send(await this.#selfTest());
  }

  health(): Extract<FromRelease, { t: 'health' }> {
    const st = this.#control.status();
    const checks: Record<string, SelfCheck> = {
      control_loop: this.#o.isAlive() ? { ok: true } : { ok: false, detail: 'the crossing engine is not ticking' },
      journal: st.journal.lastSeq >= 0 ? { ok: true } : { ok: false, detail: 'journal unreadable' },
    };
    return { t: 'health', devices: st.devices, checks };
  }

  /** Only while the lane is out of service: the self-test never runs beside a real crossing. */
  async #selfTest(): Promise<Extract<FromRelease, { t: 'self_test' }>> {
    if (!this.#o.selfTest) return { t: 'self_test', ok: false, outcomes: {}, detail: 'this release has no self-test crossing', ms: 0 };
    // A release just started may still be reading its lane ('starting'): it serves nobody either.
    const mode = this.#control.status().mode;
    if (mode !== 'out_of_service' && mode !== 'starting') return { t: 'self_test', ok: false, outcomes: {}, detail: `the lane is ${mode}, not out of service`, ms: 0 };
    const r = await this.#o.selfTest();
    this.#o.log.info({ ok: r.ok, ...r.outcomes, ms: r.ms }, 'self-test crossing');
    return { t: 'self_test', ...r };
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      const { clock } = this.#o;
      for (;;) {
        const st = this.#control.status();
        if (st.mode === 'emergency') {
          this.#channel.send({ t: 'drain_refused', reason: 'EMERGENCY' });
          return;
        }
        if (!st.inCrossing) {
          const r = this.#control.setMode('out_of_service', 'update');
          if (r.ok) break;
          if (r.code !== 'CROSSING_IN_PROGRESS') {
            this.#channel.send({ t: 'drain_refused', reason: r.code ?? 'SET_MODE_FAILED' });
            return;
          }
        }
        await new Promise<void>((res) => clock.setTimeout(res, 100));
      }
      const deadline = clock.monotonic() + (this.#o.closeBoundMs ?? 10_000);
      while (!this.#closed()) {
        if (clock.monotonic() > deadline) {
          this.#control.setMode('in_service', 'update');
          this.#channel.send({ t: 'drain_refused', reason: 'DOORS_NOT_CLOSED' });
          return;
        }
        await new Promise<void>((res) => clock.setTimeout(res, 50));
      }
      this.#channel.send({ t: 'drained' });
    } finally {
      this.#draining = false;
    }
  }

  #closed(): boolean {
    const inputs = (this.#control.status().io?.inputs ?? {}) as Record<string, boolean | undefined>;
    const present = CLOSED_INPUTS.filter((k) => inputs[k] !== undefined);
    return present.length > 0 && present.every((k) => inputs[k] === true);
  }
}
