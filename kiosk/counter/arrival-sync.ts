import { randomBytes, type KeyObject } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { MqttLink } from '../sync/link.ts';
import type { SyncTopics } from '../sync/topics.ts';
import { parseSign1, signSign1, verifySign1 } from '../tokens/cose-sign1.ts';
import { openArrivalBatch, type ArrivalAck, type ArrivalBatch } from '../sync/arrival-wire.ts';
import { collectArrivals, type SealedArrival } from './arrival-collect.ts';
import type { ArrivalRecord, ArrivalRecordStore } from './arrival-record.ts';

export type { ArrivalAck, ArrivalBatch } from '../sync/arrival-wire.ts';

export interface ArrivalSyncDeps {
  link: Pick<MqttLink, 'publish' | 'onMessage' | 'onUp' | 'connected'>;
  topics: Pick<SyncTopics, 'arrivals' | 'arrivalsAck'>;
  store: Pick<ArrivalRecordStore, 'live' | 'remove'>;
  gate: string;
  /** The central arrival public key: records are sealed to it. */
  arrivalKey: KeyObject;
  /** The central command key: only a receipt it signed deletes records here. */
  ackKey: KeyObject;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  ackTimeoutMs: number;
  /** Records per message: a 480×640 portrait is ~60 KB sealed, the broker's message limit is the bound. */
  maxPerBatch?: number;
}

/**
 * Hands the counter's arrival records to central over the seat's sync link: every
 * `intervalMs`, on reconnect and on `kick()`, the live records (a batch at a time) are
 * sealed to the central arrival key and published; a record is deleted here only when a
 * receipt signed by the central command key names this counter, this batch and exactly its
 * records. No receipt within `ackTimeoutMs`: they stay for the next round, until their life
 * ends. A forged or replayed receipt deletes nothing (wrong signature, gate or batch).
 */
export class ArrivalSync {
  readonly #d: ArrivalSyncDeps;
  readonly #waiting = new Map<string, { ids: Set<string>; done: (ok: boolean) => void }>();
  #timer: TimerHandle | undefined;
  #running = false;
  #again = false;
  #stopped = false;

  constructor(deps: ArrivalSyncDeps) {
    this.#d = deps;
    deps.link.onMessage((topic, payload) => {
      if (topic === deps.topics.arrivalsAck) this.#receipt(new Uint8Array(payload));
    });
    deps.link.onUp(() => this.kick());
  }

  start(): void {
    this.#timer = this.#d.clock.setInterval(() => this.kick(), this.#d.intervalMs);
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    this.#d.clock.clearInterval(this.#timer);
    for (const w of this.#waiting.values()) w.done(false);
  }

  /** A collection round now (a new record, the link came up); one round at a time, another follows if asked meanwhile. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#rounds().finally(() => {
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  async #rounds(): Promise<void> {
    const max = this.#d.maxPerBatch ?? 8;
    const store = { live: (now: number) => this.#d.store.live(now).slice(0, max), remove: (ids: readonly string[]) => this.#d.store.remove(ids) };
    // a full batch handed over: there may be more
    for (;;) {
      if (this.#stopped || !this.#d.link.connected) return;
      const n = await collectArrivals(store, { nowMs: this.#d.clock.now(), counter: this.#d.gate, centralKey: this.#d.arrivalKey, send: (b) => this.#send(b) }).catch(() => 0);
      if (n < max) return;
    }
  }

  async #send(sealed: SealedArrival[]): Promise<boolean> {
    const batch = randomBytes(9).toString('base64url');
    const body: ArrivalBatch = { gate: this.#d.gate, batch, arrivals: sealed.map((s) => ({ arrival: s.arrival, sealed: Buffer.from(s.sealed).toString('base64') })) };
    const acked = new Promise<boolean>((resolve) => {
      const timer = this.#d.clock.setTimeout(() => done(false), this.#d.ackTimeoutMs);
      const done = (ok: boolean): void => {
        this.#d.clock.clearTimeout(timer);
        this.#waiting.delete(batch);
        resolve(ok);
      };
      this.#waiting.set(batch, { ids: new Set(sealed.map((s) => s.arrival)), done });
    });
    try {
      await this.#d.link.publish(this.#d.topics.arrivals, JSON.stringify(body));
    } catch (err) {
      this.#waiting.get(batch)?.done(false);
      this.#d.log.info({ code: (err as { code?: string }).code }, 'arrival records not sent; next round');
      return false;
    }
    const ok = await acked;
    this.#d.log.info({ batch, records: sealed.length, acknowledged: ok }, 'arrival records handed to central');
    return ok;
  }

  #receipt(bytes: Uint8Array): void {
    let ack: ArrivalAck;
    try {
      const s = parseSign1(bytes, 'arrival receipt', false);
      if (!verifySign1(s, this.#d.ackKey)) throw new Error('signature');
      ack = JSON.parse(Buffer.from(s.payload).toString('utf8')) as ArrivalAck;
    } catch {
      this.#d.log.warn({}, 'arrival receipt refused: not signed by the central key');
      return;
    }
    const w = typeof ack?.batch === 'string' ? this.#waiting.get(ack.batch) : undefined;
    if (!w || ack.gate !== this.#d.gate || !Array.isArray(ack.arrivals)) return;
    // exactly the batch: a receipt for fewer records deletes nothing (they are all sent again)
    if (ack.arrivals.length === w.ids.size && ack.arrivals.every((a) => w.ids.has(a))) w.done(true);
  }
}

/**
 * The central side, for the tests (central/ingest/arrivals.ts is the back end's): opens a
 * batch with the central arrival private key (ARRIVAL_TAMPERED for a record that does not)
 * and signs the receipt for it.
 */
export function receiveArrivals(payload: Uint8Array, arrivalPrivateKey: KeyObject, commandKey: KeyObject): { records: (ArrivalRecord & { counter: string })[]; receipt: Uint8Array } {
  const { records, ack } = openArrivalBatch(payload, arrivalPrivateKey);
  return { records, receipt: signSign1(commandKey, ack) };
}
