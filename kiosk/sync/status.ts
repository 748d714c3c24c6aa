import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { StatusPayload } from './topics.ts';
import type { SyncHost } from './types.ts';

export interface StatusOptions {
  host: SyncHost;
  /** Publishes the retained status (QoS 1). */
  publish: (payload: string) => Promise<void>;
  isUp: () => boolean;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  outboxAlarm: () => boolean;
}

/**
 * The retained status topic: taken from the gate's status at publish time, sent on every new
 * connection (replacing the broker's `{"online":false}` will), whenever mode, device health
 * or the outbox alarm change, and every `intervalMs` so seq and unsent counts stay current.
 * Seq counts alone do not trigger a publish: they change with every event.
 */
export class StatusPublisher {
  readonly #o: StatusOptions;
  #timer: TimerHandle | undefined;
  #offs: (() => void)[] = [];
  #fingerprint = '';
  published = 0;

  constructor(opts: StatusOptions) {
    this.#o = opts;
  }

  start(): void {
    this.#offs.push(this.#o.host.on('state', () => this.check()));
    this.#offs.push(this.#o.host.on('journal', (j) => {
      if (j.type.startsWith('device_') || j.type.startsWith('alarm_') || j.type.startsWith('emergency_') || j.type === 'mode_changed') this.check();
    }));
    this.#timer = this.#o.clock.setInterval(() => this.publishNow(), this.#o.intervalMs);
  }

  stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#o.clock.clearInterval(this.#timer);
  }

  snapshot(): StatusPayload {
    const s = this.#o.host.status();
    return {
      online: true,
      gate: s.gate,
      site: s.site,
      profile: s.profile,
      mode: s.mode,
      devices: s.devices,
      lastSeq: s.journal.lastSeq,
      deliveredSeq: s.journal.deliveredSeq,
      unsent: s.journal.unsent,
      outboxBytes: s.journal.diskBytes,
      outboxAlarm: this.#o.outboxAlarm(),
      version: s.version,
      startedAt: s.startedAt,
      ts: new Date(this.#o.clock.now()).toISOString(),
    };
  }

  /** Publishes when what an operator watches (mode, devices, outbox alarm) changed since the last publish. */
  check(): void {
    const s = this.snapshot();
    if (JSON.stringify([s.mode, s.devices, s.outboxAlarm]) !== this.#fingerprint) this.publishNow(s);
  }

  publishNow(snapshot?: StatusPayload): void {
    if (!this.#o.isUp()) return;
    let s: StatusPayload;
    try {
      s = snapshot ?? this.snapshot();
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'status not available');
      return;
    }
    this.#fingerprint = JSON.stringify([s.mode, s.devices, s.outboxAlarm]);
    this.published++;
    this.#o.publish(JSON.stringify(s)).catch((err: Error) => {
      // the next connection publishes again; a lost status is replaced, not retried
      this.#fingerprint = '';
      this.#o.log.debug({ err: err.message }, 'status not acknowledged');
    });
  }
}
