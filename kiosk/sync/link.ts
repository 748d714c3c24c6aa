import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { assertStrictModes } from '../strict-modes.ts';
import { Backoff } from './backoff.ts';
import { SyncError } from './errors.ts';
import { redactUrl, scrubSecret } from './redact.ts';

export interface LinkOptions {
  url: string;
  clientId: string;
  /** Retained QoS 1 last will, published by the broker when the gate vanishes without a DISCONNECT. */
  will: { topic: string; payload: string };
  /** Topics subscribed (QoS 1) on every connection. */
  subscribe: string[];
  sessionExpiryS: number;
  keepaliveS: number;
  connectTimeoutMs: number;
  backoff: { min: number; max: number };
  /**
   * Largest packet this client takes, sent as the MQTT 5 Maximum Packet Size of CONNECT: the
   * broker must drop a bigger message for us rather than send it, so nobody who can publish
   * on our command topic makes the gate buffer 250 MB. A broker that sends one anyway ends
   * the connection (mqtt.js checks it too).
   */
  maxPacketBytes: number;
  /** PEM file paths for TLS with a client certificate (production). */
  tls?: { ca?: string; cert?: string; key?: string };
  clock: Clock;
  log: Logger;
  random?: () => number;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * One MQTT 5 connection to the central broker, kept up for the gate's life. mqtt.js's own
 * reconnect is off: every connection is a fresh client, and when it drops every publish
 * still waiting for its PUBACK is rejected at once (SYNC_LINK_LOST) and the client is
 * destroyed, so nothing old can be re-sent behind the outbox's back and reorder the stream.
 * Reconnection waits on the injected clock with back-off and jitter.
 */
export class MqttLink {
  readonly #opts: LinkOptions;
  readonly #backoff: Backoff;
  #client: MqttClient | undefined;
  #up = false;
  #stopped = false;
  #retry: TimerHandle | undefined;
  #pending = new Set<(err: Error) => void>();
  #onUp: Listener<[]>[] = [];
  #onDown: Listener<[]>[] = [];
  #onMessage: Listener<[string, Buffer]>[] = [];
  connects = 0;

  constructor(opts: LinkOptions) {
    this.#opts = opts;
    this.#backoff = new Backoff({ ...opts.backoff, ...(opts.random ? { random: opts.random } : {}) });
  }

  get connected(): boolean {
    return this.#up;
  }

  onUp(fn: () => void): void {
    this.#onUp.push(fn);
  }
  onDown(fn: () => void): void {
    this.#onDown.push(fn);
  }
  onMessage(fn: (topic: string, payload: Buffer) => void): void {
    this.#onMessage.push(fn);
  }

  start(): void {
    this.#connect();
  }

  /**
   * Publishes with QoS 1 and resolves on the broker's PUBACK. Rejects with SYNC_OFFLINE when
   * not connected, SYNC_LINK_LOST when the connection drops first, SYNC_PUBLISH_REFUSED when
   * the PUBACK carries an error reason code (quota, not authorised). A PUBACK that has not
   * come within one keepalive interval means a dead or confused link: the connection is
   * dropped (SYNC_ACK_TIMEOUT) and made again, rather than waiting on it forever.
   */
  publish(topic: string, payload: string | Buffer, opts: { retain?: boolean } = {}): Promise<void> {
    const client = this.#client;
    if (!this.#up || !client) return Promise.reject(new SyncError('SYNC_OFFLINE', 'not connected to the broker'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = this.#opts.clock.setTimeout(() => {
        fail(new SyncError('SYNC_ACK_TIMEOUT', `no PUBACK within ${this.#opts.keepaliveS} s`));
        this.#lost(client);
      }, this.#opts.keepaliveS * 1000);
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        this.#opts.clock.clearTimeout(timer);
        this.#pending.delete(fail);
        reject(err);
      };
      this.#pending.add(fail);
      client.publish(topic, payload, { qos: 1, retain: opts.retain ?? false }, (err) => {
        if (err) {
          const code = (err as { code?: number }).code;
          fail(typeof code === 'number' && code >= 0x80 ? new SyncError('SYNC_PUBLISH_REFUSED', `broker refused: ${scrubSecret(err.message, this.#opts.url)}`) : new SyncError('SYNC_LINK_LOST', scrubSecret(err.message, this.#opts.url)));
          return;
        }
        if (settled) return;
        settled = true;
        this.#opts.clock.clearTimeout(timer);
        this.#pending.delete(fail);
        resolve();
      });
    });
  }

  /** Ends the link: optional last publish (the orderly offline status), then DISCONNECT so no will is sent. */
  async stop(last?: { topic: string; payload: string }): Promise<void> {
    this.#stopped = true;
    this.#opts.clock.clearTimeout(this.#retry);
    const client = this.#client;
    const wasUp = this.#up;
    if (last && wasUp) await this.publish(last.topic, last.payload, { retain: true }).catch(() => {});
    this.#client = undefined;
    this.#up = false;
    this.#drop(new SyncError('SYNC_STOPPED', 'link stopped'));
    if (client) await client.endAsync(!wasUp).catch(() => {});
  }

  #connect(): void {
    if (this.#stopped) return;
    const o = this.#opts;
    const tls = o.tls ?? {};
    let client: MqttClient;
    try {
      const options: IClientOptions = {
        protocolVersion: 5,
        clientId: o.clientId,
        clean: false,
        properties: { sessionExpiryInterval: o.sessionExpiryS, maximumPacketSize: o.maxPacketBytes },
        reconnectPeriod: 0,
        connectTimeout: o.connectTimeoutMs,
        keepalive: o.keepaliveS,
        will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
        ...(tls.ca ? { ca: readFileSync(assertStrictModes(tls.ca, 'broker CA certificate')) } : {}),
        ...(tls.cert ? { cert: readFileSync(assertStrictModes(tls.cert, 'client certificate')) } : {}),
        ...(tls.key ? { key: readFileSync(assertStrictModes(tls.key, 'client key', { secret: true })) } : {}),
      };
      client = mqtt.connect(o.url, options);
    } catch (err) {
      o.log.error({ err: scrubSecret((err as Error).message, o.url), url: redactUrl(o.url) }, 'mqtt connect failed');
      this.#scheduleRetry();
      return;
    }
    this.#client = client;
    client.on('connect', () => {
      if (client !== this.#client) return;
      client.subscribe(o.subscribe, { qos: 1 }, (err) => {
        if (client !== this.#client) return;
        if (err) {
          o.log.warn({ err: scrubSecret(err.message, o.url) }, 'subscribe failed');
          this.#lost(client);
          return;
        }
        this.#up = true;
        this.connects++;
        this.#backoff.reset();
        o.log.info({ url: redactUrl(o.url) }, 'connected to broker');
        for (const fn of this.#onUp) fn();
      });
    });
    client.on('message', (topic, payload) => {
      if (client === this.#client) for (const fn of this.#onMessage) fn(topic, payload);
    });
    client.on('error', (err) => {
      // refused connection, protocol error (an answer mqtt.js cannot parse leaves a publish
      // unanswered): either way this client is done, a fresh one follows after back-off
      o.log.warn({ err: scrubSecret(err.message, o.url) }, 'mqtt error');
      this.#lost(client);
    });
    client.on('close', () => this.#lost(client));
    client.on('disconnect', () => this.#lost(client));
    client.on('offline', () => this.#lost(client));
  }

  #lost(client: MqttClient): void {
    if (client !== this.#client) return;
    const wasUp = this.#up;
    this.#up = false;
    this.#client = undefined;
    this.#drop(new SyncError('SYNC_LINK_LOST', 'connection to the broker lost'));
    client.end(true);
    if (wasUp) {
      this.#opts.log.warn('broker connection lost');
      for (const fn of this.#onDown) fn();
    }
    this.#scheduleRetry();
  }

  #drop(err: Error): void {
    for (const fail of [...this.#pending]) fail(err);
    this.#pending.clear();
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    const wait = this.#backoff.next();
    this.#opts.log.debug({ wait, failures: this.#backoff.failures }, 'reconnecting after back-off');
    this.#retry = this.#opts.clock.setTimeout(() => this.#connect(), wait);
  }
}
