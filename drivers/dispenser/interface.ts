import type { DeviceError } from '../../core/errors.ts';

/** What the dispenser's inputs and registers say (docs/kiosk-io.md), as last polled. */
export interface DispenserStatus {
  cardAtReader: boolean;
  cardAtMouth: boolean;
  /** The card presented last left the mouth to the resident (cleared by the next fetch). */
  cardTaken: boolean;
  binFull: boolean;
  busy: boolean;
  tamper: boolean;
  binCount: number;
  faultBits: number;
}

export interface CardDispenserEvents {
  /** The status changed (any field). */
  change: DispenserStatus;
  /** The resident took the presented card from the mouth. */
  taken: { at: number };
  /** The controller stopped answering (or the link is lost); once per outage. */
  fault: DeviceError;
  recovered: { at: number };
}

/** Error codes of the dispenser's moves (DeviceError, device 'dispenser'). */
export const DispenserErrorCode = {
  /** The controller is unreachable (link lost, no answer after the retries). */
  OFFLINE: 'DISPENSER_OFFLINE',
  /** The controller refused the command (exception): no card there, a move running, tripped, bin full. */
  REFUSED: 'DISPENSER_REFUSED',
  SLOT_EMPTY: 'DISPENSER_SLOT_EMPTY',
  JAM: 'DISPENSER_JAM',
  /** The watchdog tripped during the move: the controller retained the card. */
  TRIPPED: 'DISPENSER_TRIPPED',
  /** The move did not end within moveTimeoutMs. */
  TIMEOUT: 'DISPENSER_TIMEOUT',
} as const;

/**
 * A card dispenser with an internal card reader, a mouth and a capture bin (docs/kiosk-io.md).
 * Behaviour:
 * - `start()` opens the link, writes watchdog_ms and mouth_limit_s, then polls and writes a
 *   heartbeat while `isControlLoopAlive()` says the kiosk's control loop runs; when it stops
 *   saying so the heartbeat stops and the controller retains any card in transit. It resolves
 *   after the first attempt even when the controller is unreachable (that is a 'fault').
 * - Each move resolves once the controller reports it ended where it should, and rejects with
 *   a DeviceError of DispenserErrorCode otherwise; a rejected move never leaves a card in the
 *   mouth that was not there before. Moves are serialised; the caller decides, the driver
 *   never presents by itself.
 * - `stop()` stops polling and the heartbeat (the controller then retains what is in transit).
 */
export interface CardDispenser {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly healthy: boolean;
  /** Last polled status; undefined before the first poll answered. */
  status(): DispenserStatus | undefined;
  /** Moves the card of stacker `slot` to the internal reader. */
  fetch(slot: number): Promise<void>;
  /** Moves the card at the internal reader to the mouth: only after a decision. */
  present(): Promise<void>;
  /** Moves the card at the reader or in the mouth into the capture bin. */
  retain(): Promise<void>;
  /** mouth_light and out_of_service_sign. */
  setSigns(signs: { mouthLight?: boolean; outOfService?: boolean }): Promise<void>;
  on<K extends keyof CardDispenserEvents>(event: K, fn: (payload: CardDispenserEvents[K]) => void): () => void;
}
