import { execFile } from 'node:child_process';
import { SystemClock, type Clock, type TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';

/** Sends one sd_notify message (newline-separated VAR=VALUE assignments) to the service manager. */
export type NotifySend = (message: string) => Promise<void>;

/**
 * node:dgram has no AF_UNIX datagram sockets and a native sd-notify module needs a build, so
 * each message goes through the `systemd-notify` binary. It waits (BARRIER) until systemd has
 * taken the message, so the manager can still attribute it to the service after the helper
 * exits; the unit needs NotifyAccess=all. One spawn per message is fine at watchdog rates
 * (one every few seconds), not for a hot path.
 */
export function systemdNotifySend(opts: { bin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): NotifySend {
  const bin = opts.bin ?? 'systemd-notify';
  const env = opts.env ?? process.env;
  return (message) =>
    new Promise<void>((resolve, reject) => {
      execFile(bin, [`--pid=${process.pid}`, ...message.split('\n').filter(Boolean)], { env, timeout: opts.timeoutMs ?? 5000 }, (err, _out, stderr) => {
        if (err) reject(new Error(`${bin} failed: ${stderr.trim() || err.message}`));
        else resolve();
      });
    });
}

export interface ServiceNotifierOptions {
  /** The service's environment: NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID. */
  env?: NodeJS.ProcessEnv;
  /** True while the gate's control loop ticks (GateControl.gate.binding.isControlLoopAlive). */
  isAlive: () => boolean;
  log: Logger;
  clock?: Clock;
  send?: NotifySend;
}

/**
 * Tells systemd the gate is up (READY=1), keeps its watchdog fed at half of WatchdogSec but
 * only while the control loop is alive — a hung crossing engine stops the pings and systemd
 * restarts the process, while the door controller's own watchdog has already closed the doors
 * — and says STOPPING=1 on the way down. Outside systemd (no NOTIFY_SOCKET) it does nothing.
 */
export class ServiceNotifier {
  readonly enabled: boolean;
  /** Watchdog ping period in ms, or 0 when systemd asked for no watchdog. */
  readonly watchdogMs: number;
  readonly #o: ServiceNotifierOptions;
  readonly #clock: Clock;
  readonly #send: NotifySend;
  #timer: TimerHandle | undefined;
  #missed = false;
  #pings = 0;

  constructor(o: ServiceNotifierOptions) {
    this.#o = o;
    const env = o.env ?? process.env;
    this.#clock = o.clock ?? new SystemClock();
    this.#send = o.send ?? systemdNotifySend({ env });
    this.enabled = Boolean(env.NOTIFY_SOCKET);
    const usec = Number(env.WATCHDOG_USEC ?? 0);
    const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
    this.watchdogMs = this.enabled && forUs && Number.isFinite(usec) && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : 0;
  }

  get pings(): number {
    return this.#pings;
  }

  /** READY=1 with a status line, then the watchdog pings. */
  async ready(status: string): Promise<void> {
    if (!this.enabled) return;
    await this.#notify(`READY=1\nSTATUS=${status}`);
    if (this.watchdogMs > 0 && !this.#timer) this.#timer = this.#clock.setInterval(() => this.#ping(), this.watchdogMs);
  }

  async status(status: string): Promise<void> {
    if (this.enabled) await this.#notify(`STATUS=${status}`);
  }

  /** STOPPING=1 and no more pings (a slow shutdown must not look like a hang to fix). */
  async stopping(): Promise<void> {
    this.stop();
    if (this.enabled) await this.#notify('STOPPING=1');
  }

  stop(): void {
    this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #ping(): void {
    if (!this.#o.isAlive()) {
      if (!this.#missed) this.#o.log.error({}, 'control loop not alive: withholding the systemd watchdog ping');
      this.#missed = true;
      return;
    }
    if (this.#missed) this.#o.log.warn({}, 'control loop alive again: watchdog pings resume');
    this.#missed = false;
    this.#pings++;
    void this.#notify('WATCHDOG=1');
  }

  async #notify(message: string): Promise<void> {
    try {
      await this.#send(message);
    } catch (err) {
      // A lost notification is not a reason to stop the gate; systemd's own timeouts decide.
      this.#o.log.warn({ err: (err as Error).message }, 'sd_notify failed');
    }
  }
}
