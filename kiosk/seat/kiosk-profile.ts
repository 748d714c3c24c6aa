import type { GateConfig, SeatProfile } from '../../config/schema.ts';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { TokenScanner } from '../../drivers/scanner/interface.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import type { Clock } from '../clock.ts';
import type { DeviceHealth } from '../control-types.ts';
import type { JournalEventType } from '../crossing/facts.ts';
import type { KioskSource } from '../display/kiosk-types.ts';
import type { ReferenceStore } from '../enrolment/reference-store.ts';
import type { Logger } from '../log.ts';
import type { TokenStores } from '../tokens/open.ts';
import type { SyncHandle } from '../sync/attach.ts';
import type { TokenVerifier } from '../tokens/verifier.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the kiosk host (kiosk/seat/kiosk-seat.ts) gives a kiosk profile: the same stores,
 * face engine and common devices a gate has, opened once from the configuration. A profile
 * creates its own devices (dispenser, printer, scanner of documents, payment) from config.
 */
export interface KioskParts {
  config: GateConfig;
  clock: Clock;
  log: Logger;
  /** Appends to the journal (and so to the central system); on failure the seat goes out of service. */
  journal(type: JournalEventType, data: Record<string, unknown>): void;
  /** The journal's keyed pseudonym of an identifier (never the identifier itself). */
  pseudonym(value: string): string;
  references: ReferenceStore;
  /** Only for a profile that verifies credentials (config/profile-needs.ts): the collection slip. */
  tokens?: TokenStores;
  verifier?: TokenVerifier;
  engine: FaceEngine;
  camera: Camera;
  scanners: TokenScanner[];
}

/**
 * A running kiosk profile: the touch page's source (screens, taps, reset) plus its life cycle.
 * The host starts the common devices before `start()` and stops them after `stop()`.
 */
export interface KioskApp extends KioskSource {
  start(): Promise<void>;
  /** Ends any transaction safely (cards retained, payments left to settle) within a bound. */
  stop(): Promise<void>;
  /** The profile's own devices (dispenser, printer, scanner…) as the status shows them. */
  devices(): Record<string, DeviceHealth>;
  /** True while a visitor's transaction is under way: modes change only between transactions. */
  busy(): boolean;
  /** Extra pages beside the touch page (the counter's officer page); true when answered. */
  routes?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Called once the seat's central link runs, for a profile with its own traffic on it (the counter's sealed arrival records). */
  attachSync?(sync: SyncHandle): void;
}

export interface KioskProfile {
  name: SeatProfile;
  build(parts: KioskParts): Promise<KioskApp>;
}
