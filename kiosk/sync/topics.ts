import type { JournalEvent } from '../journal/index.ts';

/**
 * The central link's topics (events.md) and what travels on each: one map from topic to
 * payload type, so the publisher, the command handler and the tests agree by construction.
 */
export interface SyncTopics {
  events: string;
  status: string;
  cmd: string;
  cmdResult: string;
  /** A counter's arrival records, each sealed to the central arrival key (kiosk/counter/arrival-sync.ts), and central's signed receipt. */
  arrivals: string;
  arrivalsAck: string;
}

export function syncTopics(site: string, gate: string): SyncTopics {
  const base = `egate/v1/${site}/${gate}`;
  return { events: `${base}/events`, status: `${base}/status`, cmd: `${base}/cmd`, cmdResult: `${base}/cmd/result`, arrivals: `${base}/arrivals`, arrivalsAck: `${base}/arrivals/ack` };
}

/** Retained status; the last will is `{"online":false}` alone. */
export interface StatusPayload {
  online: boolean;
  gate?: string;
  site?: string;
  /** The gate's kind (config `profile`: pedestrian, vehicle, express, or a kiosk profile): the console labels lanes by it. */
  profile?: string;
  /** in_service | out_of_service | maintenance | emergency | starting */
  mode?: string;
  devices?: Record<string, { healthy: boolean; code?: string }>;
  /** Newest journal seq, highest seq the broker acknowledged, and the difference. */
  lastSeq?: number;
  deliveredSeq?: number;
  unsent?: number;
  outboxBytes?: number;
  outboxAlarm?: boolean;
  version?: string;
  startedAt?: string;
  /** When this status was taken (gate clock, ISO 8601). */
  ts?: string;
}

/** The reply envelope for every command (zigbee2mqtt style): echoes the command id. */
export interface CommandResult {
  id: string;
  ok: boolean;
  /** Machine-readable refusal or failure code (CMD_BAD_SIGNATURE, CROSSING_IN_PROGRESS, …). */
  error?: string;
}

export interface TopicPayloads {
  events: JournalEvent[];
  status: StatusPayload;
  /** COSE_Sign1 bytes (see commands.ts); the signed payload is UTF-8 JSON. */
  cmd: Uint8Array;
  cmdResult: CommandResult;
}

export const OFFLINE_WILL: StatusPayload = { online: false };
