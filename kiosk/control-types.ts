import type { SeatProfile } from '../config/schema.ts';
import type { Screen } from './display/messages.ts';
import type { CrossingRecord } from './crossing/types.ts';

/**
 * What the gate offers to its local and central operators — the technician CLI, the MQTT
 * link, the display page — through one facade (kiosk/control.ts), so none of them reaches
 * into the crossing engine or the drivers directly.
 */
export interface DeviceHealth {
  healthy: boolean;
  /** Last fault code while unhealthy. */
  code?: string;
}

export interface GateStatus {
  gate: string;
  site: string;
  profile: SeatProfile;
  /** in_service | out_of_service | maintenance | emergency | starting */
  mode: string;
  /** Full state path, e.g. in_service.face */
  state: string;
  inCrossing: boolean;
  devices: Record<string, DeviceHealth>;
  lastCrossing: { outcome: string; reason: string; at: string } | null;
  journal: { lastSeq: number; deliveredSeq: number; unsent: number; diskBytes: number };
  /** The controller's inputs (doors, zones, loops, fire alarm) and registers as last polled. */
  io?: { inputs: Record<string, boolean>; registers: Record<string, number> };
  version: string;
  startedAt: string;
}

export type ControlResult = { ok: true; detail?: string } | { ok: false; error: string; code: string };

export interface GateControlEvents {
  screen: Screen;
  state: { state: string; mode: string; outputs: Record<string, boolean> };
  journal: { seq: number; type: string; data: Record<string, unknown> };
  crossing_finished: CrossingRecord;
}

export interface GateControlApi {
  status(): GateStatus;
  /** The screen the display shows now (the display page's first paint). */
  screen(): Screen | undefined;
  /** Technician or central system: in_service | out_of_service | maintenance. Refused during a crossing. */
  setMode(mode: 'in_service' | 'out_of_service' | 'maintenance', by: string): ControlResult;
  /** Technician reset after an emergency. */
  reset(by: string): ControlResult;
  /** Door/barrier by hand; only in maintenance or out of service, never during a crossing. */
  door(action: 'open' | 'close' | 'cycle', door: string, by: string): Promise<ControlResult>;
  /** Journals a maintenance_action (technician actions) or another operator fact. */
  journal(type: 'maintenance_action' | 'config_changed' | 'keys_changed', data: Record<string, unknown>): void;
  on<K extends keyof GateControlEvents>(event: K, fn: (payload: GateControlEvents[K]) => void): () => void;
}

/** One device's answer to the technician's `selftest` (nothing moves). */
export interface SelfTestCheck {
  device: string;
  ok: boolean;
  detail: string;
}

/**
 * Any seat as its technician CLI and central link see it: a lane (kiosk/control.ts) or a kiosk
 * (kiosk/seat/kiosk-seat.ts). The stores are the ones the CLI and central commands manage.
 */
export interface SeatControl extends GateControlApi {
  readonly config: import('../config/schema.ts').GateConfig;
  readonly journalStore: import('./journal/index.ts').Journal;
  readonly references: import('./enrolment/reference-store.ts').ReferenceStore;
  /** The token stores; undefined on a kiosk whose profile verifies no credential (config/profile-needs.ts). */
  readonly tokens: import('./tokens/open.ts').TokenStores | undefined;
  readonly engine: import('./biometrics/index.ts').FaceEngine;
  /** Each device shows it is alive within a short wait; nothing moves. */
  selfTest(clock: import('./clock.ts').Clock): Promise<{ ok: boolean; checks: SelfTestCheck[] }>;
}
