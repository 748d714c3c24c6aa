import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../../kiosk/log.ts';

export interface Inbound {
  topic: string;
  payload: Buffer;
  /** Sends the PUBACK: call only once the message is durably stored (or deliberately dropped). */
  ack(): void;
}

export interface ConsumerOptions {
  url: string;
  clientId: string;
  /** Topics subscribed with QoS 1 (shared ones as `$share/group/…`). */
  topics: string[];
  keepaliveS: number;
  receiveMaximum: number;
  sessionExpiryS: number;
  log: Logger;
  onMessage(m: Inbound): void;
}

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;
interface Held {
  acked: boolean;
  packet?: { cmd: string; messageId?: number };
}

/**
 * An MQTT 5 subscriber whose PUBACK waits for PostgreSQL. mqtt.js answers a QoS 1 PUBLISH
 * as soon as its handler returns and processes packets one at a time; this consumer lets
 * the packet pipeline go on at once but holds each PUBACK until `ack()`, so many messages
 * can be stored in one transaction and none is acknowledged before it is on disk. A PUBACK
 * held on a connection that dropped is never sent: the broker (persistent session) sends
 * the message again on the next one, and the store's de-duplication absorbs the repeat.
 */
export class MqttConsumer {
  readonly #o: ConsumerOptions;
  #client: MqttClient | undefined;
  #generation = 0;
  connected = false;

  constructor(opts: ConsumerOptions) {
    this.#o = opts;
  }

  start(): Promise<void> {
    const o = this.#o;
    const client = mqtt.connect(o.url, {
      protocolVersion: 5,
      clientId: o.clientId,
      clean: false,
      keepalive: o.keepaliveS,
      reconnectPeriod: 1000,
      properties: { sessionExpiryInterval: o.sessionExpiryS, receiveMaximum: o.receiveMaximum },
    });
    this.#client = client;
    const held = new Map<number, Held>();
    const internals = client as unknown as { _sendPacket: SendPacket };
    const send = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, cb, ...rest) => {
      const h = packet.cmd === 'puback' && packet.messageId !== undefined ? held.get(packet.messageId) : undefined;
      if (!h || h.acked) {
        if (h) held.delete(packet.messageId!);
        send(packet, cb, ...rest);
        return;
      }
      h.packet = packet;
      cb?.();
    };
    client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => {
      if (packet.qos === 0 || packet.messageId === undefined) {
        o.onMessage({ topic, payload, ack: () => {} });
        return;
      }
      const id = packet.messageId;
      const gen = this.#generation;
      const h: Held = { acked: false };
      held.set(id, h);
      o.onMessage({
        topic,
        payload,
        ack: () => {
          if (gen !== this.#generation || h.acked) return;
          h.acked = true;
          if (h.packet) {
            held.delete(id);
            send(h.packet);
          }
        },
      });
    });
    client.on('connect', () => {
      this.#generation++;
      held.clear();
      client.subscribe(o.topics, { qos: 1 }, (err) => {
        if (err) o.log.error({ err: err.message }, 'central subscribe failed');
        else this.connected = true;
      });
    });
    client.on('close', () => (this.connected = false));
    client.on('error', (err) => o.log.warn({ err: err.message }, 'central mqtt error'));
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.connected) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
  }

  /** Publishes (QoS 1) — the command path uses the same connection. */
  publish(topic: string, payload: Buffer | string): Promise<void> {
    const c = this.#client;
    if (!c) return Promise.reject(new Error('consumer not started'));
    return c.publishAsync(topic, payload, { qos: 1 }).then(() => undefined);
  }

  async stop(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    this.connected = false;
    if (c) await c.endAsync(true).catch(() => {});
  }
}
