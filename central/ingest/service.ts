import type { KeyObject } from 'node:crypto';
import type { Logger } from '../../kiosk/log.ts';
import { loadCommandKey } from '../commands/central-key.ts';
import { openCommandSigner, sign1, type CommandSigner } from '../commands/signer.ts';
import type { CentralConfig } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import { ensurePartitions, migrate, purge } from '../db/schema.ts';
import { storeArrivals } from './arrivals.ts';
import { MqttConsumer, type Inbound } from './consumer.ts';
import { storeCommandResult, storeStatuses } from './status.ts';
import { prepareInbound, storeBatches, type InboundBatch } from './store.ts';
import { beat, flagSilentGates, leave, resolveGaps } from './sweep.ts';

const TOPIC = /^egate\/v1\/([A-Za-z0-9_-]{1,32})\/([A-Za-z0-9_-]{1,32})\/(events|status|cmd\/result|arrivals)$/;

export interface IngestStats {
  messages: number;
  events: number;
  duplicates: number;
  held: number;
  problems: number;
  transactions: number;
  txMs: number;
  errors: number;
}

/** PostgreSQL data exceptions (class 22) and integrity violations (23): the message, not the database, is at fault. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

function parse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A received message; an events message carries its head-independent checks, done on arrival. */
interface Queued extends Inbound {
  batch?: InboundBatch | undefined;
  /** performance.now() when it arrived. */
  arrivedAt: number;
}

/**
 * One ingest instance: events through a shared subscription (instances in the same group
 * split the messages), status and command answers to every instance (retained status is
 * not delivered to shared subscriptions, and the upserts are idempotent). Event messages are
 * queued in arrival order and stored in groups of up to `maxBatchMessages` per transaction;
 * their PUBACKs follow the commit. A database error leaves the group unacknowledged and
 * retried after a pause — nothing is acknowledged that is not stored.
 */
export class IngestService {
  readonly stats: IngestStats = { messages: 0, events: 0, duplicates: 0, held: 0, problems: 0, transactions: 0, txMs: 0, errors: 0 };
  readonly consumer: MqttConsumer;
  readonly #cfg: CentralConfig;
  readonly #pool: Pool;
  readonly #log: Logger;
  #queue: Queued[] = [];
  #running = false;
  #stopped = false;
  #timers: NodeJS.Timeout[] = [];
  #idle: (() => void)[] = [];
  /** Counter arrival collection: the arrival private key and the command signer for receipts (absent: not collected). */
  readonly #arrivals: { key: KeyObject; signer: CommandSigner; own: boolean } | undefined;

  /** `signer`: the instance's command signer (central.ts shares its own); else one is opened here when arrivals are configured. */
  constructor(cfg: CentralConfig, pool: Pool, log: Logger, signer?: CommandSigner) {
    this.#cfg = cfg;
    this.#pool = pool;
    this.#log = log.child({ part: 'ingest' });
    const g = cfg.mqtt.group;
    if (cfg.arrivals) {
      this.#arrivals = { key: loadCommandKey(cfg.arrivals.privateKeyPath).privateKey, signer: signer ?? openCommandSigner(cfg.commands), own: !signer };
    } else {
      this.#log.info({}, 'arrivals not configured: counter arrival records are not collected (they stay sealed at the counters until they expire)');
    }
    this.consumer = new MqttConsumer({
      url: cfg.mqtt.url,
      clientId: `egate-central-${cfg.instance}`,
      topics: [`$share/${g}/egate/v1/+/+/events`, `$share/${g}/egate/v1/+/+/cmd/result`, 'egate/v1/+/+/status', ...(cfg.arrivals ? [`$share/${g}/egate/v1/+/+/arrivals`] : [])],
      keepaliveS: cfg.mqtt.keepaliveS,
      receiveMaximum: cfg.mqtt.receiveMaximum,
      sessionExpiryS: 3600,
      log: this.#log,
      onMessage: (m) => this.#onMessage(m),
    });
  }

  async start(): Promise<void> {
    await migrate(this.#pool);
    await ensurePartitions(this.#pool, new Date(), 1, this.#cfg.retention.partitionsAhead);
    await this.consumer.start();
    const every = (ms: number, fn: () => Promise<unknown>): void => {
      this.#timers.push(setInterval(() => void fn().catch((err: Error) => this.#log.error({ err: err.message }, 'central sweep failed')), ms));
    };
    const { group } = this.#cfg.mqtt;
    const grace = this.#cfg.gapGraceMs;
    await beat(this.#pool, group, this.#cfg.instance, this.behindMs());
    // the heartbeat first: this instance's own caught-up moment counts in the sweep that follows
    every(Math.max(250, grace / 4), async () => {
      await beat(this.#pool, group, this.#cfg.instance, this.behindMs());
      await resolveGaps(this.#pool, grace, group);
    });
    every(Math.max(1000, this.#cfg.silentAfterMs / 4), () => flagSilentGates(this.#pool, this.#cfg.silentAfterMs, group, grace));
    const r = this.#cfg.retention;
    every(r.purgeEveryMs, async () => {
      await ensurePartitions(this.#pool, new Date(), 0, r.partitionsAhead);
      await purge(this.#pool, new Date(), r.eventDays, r.recordDays);
    });
  }

  /**
   * How long ago this instance last had stored and acknowledged everything it had been sent
   * (0: now): the age of the oldest message not yet stored. A busy instance that keeps up
   * stays a few milliseconds behind; one working through a backlog falls behind by its queue.
   */
  behindMs(): number {
    const oldest = this.#queue[0];
    return oldest ? performance.now() - oldest.arrivedAt : 0;
  }

  /** Resolves when every message received so far has been stored and acknowledged. */
  idle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    await this.idle();
    await this.consumer.stop();
    await leave(this.#pool, this.#cfg.mqtt.group, this.#cfg.instance).catch(() => {});
    if (this.#arrivals?.own) this.#arrivals.signer.close();
  }

  #onMessage(m: Inbound): void {
    this.stats.messages++;
    const t = TOPIC.exec(m.topic);
    // parse, hash and privacy-check now: this runs while the previous group is in PostgreSQL
    const batch = t && t[3] === 'events' ? prepareInbound(t[1]!, t[2]!, parse(m.payload)) : undefined;
    this.#queue.push(Object.assign(m, { batch, arrivedAt: performance.now() }));
    if (!this.#running) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.slice(0, this.#cfg.mqtt.maxBatchMessages);
        try {
          await this.#store(group);
        } catch (err) {
          if (isDataError(err)) {
            // one message the database cannot take (a NUL in a string, an impossible date) must
            // not stop the fleet's ingest: store the group one by one, file the bad one as an alarm
            await this.#storeOneByOne(group);
            this.#queue.splice(0, group.length);
            for (const m of group) m.ack();
            continue;
          }
          this.stats.errors++;
          this.#log.error({ err: (err as Error).message }, 'central store failed; retrying');
          if (this.#stopped) return;
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        this.#queue.splice(0, group.length);
        for (const m of group) m.ack();
      }
    } finally {
      this.#running = false;
      if (this.#queue.length === 0) for (const r of this.#idle.splice(0)) r();
    }
  }

  async #storeOneByOne(group: Queued[]): Promise<void> {
    for (const m of group) {
      try {
        await this.#store([m]);
      } catch (err) {
        if (!isDataError(err)) throw err;
        const t = TOPIC.exec(m.topic);
        this.stats.problems++;
        this.#log.warn({ topic: m.topic, pgcode: (err as { code?: string }).code }, 'message refused by the database; alarm filed');
        if (t) {
          await this.#pool.query("INSERT INTO alarms (gate, site, kind, code, detail) VALUES ($1, $2, 'chain_broken', 'CHAIN_MALFORMED', $3)", [
            t[2],
            t[1],
            JSON.stringify({ detail: `database refused the message (${(err as { code?: string }).code ?? '?'})` }),
          ]);
        }
      }
    }
  }

  async #storeArrivals(site: string, gate: string, payload: Buffer): Promise<void> {
    const a = this.#arrivals;
    if (!a) return;
    const r = await storeArrivals(this.#pool, { site, gate, payload: new Uint8Array(payload) }, { arrivalKey: a.key, sign: (p) => sign1(a.signer, p), publish: (t, p) => this.consumer.publish(t, p) });
    if (r.refused) {
      this.stats.problems++;
      this.#log.warn({ gate }, 'arrival batch refused (does not verify); alarm filed, no receipt');
    } else this.#log.info({ gate, stored: r.stored, duplicates: r.duplicates }, 'arrival records stored sealed; receipt sent');
  }

  async #store(group: Queued[]): Promise<void> {
    const batches: InboundBatch[] = [];
    const statuses: { site: string; gate: string; payload: unknown }[] = [];
    for (const m of group) {
      if (m.batch) {
        batches.push(m.batch);
        continue;
      }
      const t = TOPIC.exec(m.topic);
      if (!t) continue;
      const [, site, gate, kind] = t as unknown as [string, string, string, string];
      if (kind === 'events') batches.push({ site, gate, payload: parse(m.payload) });
      else if (kind === 'status') statuses.push({ site, gate, payload: parse(m.payload) });
      else if (kind === 'arrivals') await this.#storeArrivals(site, gate, m.payload);
      else await storeCommandResult(this.#pool, gate, parse(m.payload));
    }
    // in arrival order per gate; a gate's newer status in the same group simply follows
    await storeStatuses(this.#pool, statuses);
    if (batches.length === 0) return;
    const t0 = performance.now();
    const r = await storeBatches(this.#pool, batches);
    this.stats.txMs += performance.now() - t0;
    this.stats.transactions++;
    this.stats.events += r.stored;
    this.stats.duplicates += r.duplicates;
    this.stats.held += r.held;
    this.stats.problems += r.problems;
  }
}
