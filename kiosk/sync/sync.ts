import type { KeyObject } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { CommandLedger } from './command-ledger.ts';
import { CommandHandler } from './commands.ts';
import { MqttLink } from './link.ts';
import { Outbox } from './outbox.ts';
import { StatusPublisher } from './status.ts';
import { OFFLINE_WILL, syncTopics, type SyncTopics } from './topics.ts';
import type { SyncHost } from './types.ts';

export interface SyncDeps {
  clock: Clock;
  log: Logger;
  /** The central command key (undefined: commands are refused). */
  centralKey: KeyObject | undefined;
  /** This gate's command key pair: central commands carrying traveller data are encrypted to it. */
  gateKey?: { privateKey: KeyObject; publicKey: KeyObject };
  ledger: CommandLedger;
  random?: () => number;
}

export interface SyncState {
  connected: boolean;
  inFlight: boolean;
  /** Events journalled but not yet acknowledged by the broker. */
  backlog: number;
  lastPublishedSeq: number;
}

/**
 * The gate's central link: the journal outbox, the retained status with its last will, and
 * the signed commands, over one MQTT 5 connection. Nothing here blocks the gate: the
 * journal keeps taking events offline and the outbox catches up in order later.
 */
export class CentralSync {
  readonly topics: SyncTopics;
  readonly link: MqttLink;
  readonly outbox: Outbox;
  readonly status: StatusPublisher;
  readonly commands: CommandHandler;
  readonly #host: SyncHost;
  readonly #clock: Clock;
  #poll: TimerHandle | undefined;
  #offs: (() => void)[] = [];

  constructor(host: SyncHost, deps: SyncDeps) {
    const cfg = host.config.sync;
    const { clock } = deps;
    const log = deps.log.child({ part: 'sync' });
    this.#host = host;
    this.#clock = clock;
    this.topics = syncTopics(cfg.site, host.config.gate);
    const random = deps.random ? { random: deps.random } : {};
    this.link = new MqttLink({
      url: cfg.url,
      clientId: cfg.clientId ?? `egate-${cfg.site}-${host.config.gate}`,
      will: { topic: this.topics.status, payload: JSON.stringify(OFFLINE_WILL) },
      // arrivalsAck: central's signed receipt for a counter's arrival records (nothing else listens on other seats)
      subscribe: [this.topics.cmd, this.topics.arrivalsAck],
      sessionExpiryS: cfg.sessionExpiryS,
      keepaliveS: cfg.keepaliveS,
      connectTimeoutMs: cfg.connectTimeoutMs,
      // a command plus its topic, properties and the encryption envelope; nothing else is received
      maxPacketBytes: cfg.maxCommandBytes + 4096,
      backoff: cfg.backoffMs,
      tls: { ...(cfg.ca ? { ca: cfg.ca } : {}), ...(cfg.cert ? { cert: cfg.cert } : {}), ...(cfg.key ? { key: cfg.key } : {}) },
      clock,
      log,
      ...random,
    });
    const isUp = (): boolean => this.link.connected;
    this.outbox = new Outbox({
      journal: host.journalStore,
      publish: (payload) => this.link.publish(this.topics.events, payload),
      isUp,
      clock,
      log,
      batchSize: cfg.batchSize,
      backoff: cfg.backoffMs,
      alarmBytes: cfg.outboxAlarmBytes,
      onAlarm: () => this.status.check(),
      ...random,
    });
    this.status = new StatusPublisher({
      host,
      publish: (payload) => this.link.publish(this.topics.status, payload, { retain: true }),
      isUp,
      clock,
      log,
      intervalMs: cfg.statusIntervalMs,
      outboxAlarm: () => this.outbox.stats.alarm,
    });
    this.commands = new CommandHandler({
      host,
      key: deps.centralKey,
      gateKey: deps.gateKey,
      ledger: deps.ledger,
      clock,
      log,
      windowS: cfg.commandWindowS,
      maxBytes: cfg.maxCommandBytes,
      publishResult: (r) => this.link.publish(this.topics.cmdResult, JSON.stringify(r)),
    });
    this.link.onUp(() => {
      this.status.publishNow();
      this.outbox.kick(true);
    });
    this.link.onMessage((topic, payload) => {
      if (topic === this.topics.cmd) void this.commands.handle(new Uint8Array(payload));
    });
  }

  start(): void {
    this.#offs.push(this.#host.on('journal', () => this.outbox.kick()));
    this.#poll = this.#clock.setInterval(() => {
      this.outbox.checkAlarm();
      this.outbox.kick();
    }, this.#host.config.sync.pollMs);
    this.outbox.checkAlarm();
    this.status.start();
    this.link.start();
  }

  flush(timeoutMs?: number): Promise<void> {
    return this.outbox.flush(timeoutMs);
  }

  state(): SyncState {
    const j = this.#host.journalStore;
    return { connected: this.link.connected, inFlight: this.outbox.stats.inFlight, backlog: j.undeliveredCount(), lastPublishedSeq: this.outbox.stats.lastPublishedSeq };
  }

  /** Stops polling, publishes `online:false` (retained) and disconnects cleanly, so no will follows. */
  async stop(): Promise<void> {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#clock.clearInterval(this.#poll);
    this.status.stop();
    this.outbox.stop();
    let last: string;
    try {
      last = JSON.stringify({ ...this.status.snapshot(), online: false });
    } catch {
      last = JSON.stringify(OFFLINE_WILL);
    }
    await this.link.stop({ topic: this.topics.status, payload: last });
  }
}
