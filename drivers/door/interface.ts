import type { DeviceError } from '../../core/errors.ts';

/**
 * The gate's door/barrier controller as the rest of the gate sees it (door-io.md).
 * Role-based and layout-agnostic: the pedestrian mantrap and the vehicle barrier differ only
 * in their role names (`entry_release` vs `barrier_raise`), which come from config.
 *
 * Implementations: the Modbus RTU master (modbus-master.ts) and the in-process twin on the
 * plant model (twin.ts). Both run the same contract suite.
 */
export type DoorLayout = 'pedestrian' | 'vehicle';

/** What the controller last reported. Values are what the device said, never what was asked. */
export interface DoorSnapshot {
  /** Discrete inputs by role (entry_closed, zone_mantrap, fire_alarm, loop_barrier, …). */
  readonly inputs: Readonly<Record<string, boolean>>;
  /** Input registers by role (mantrap_occupancy, fault_bits, firmware_version, vehicle_count). */
  readonly registers: Readonly<Record<string, number>>;
  /** Coils as read back from the device (a watchdog trip shows here as released doors at 0). */
  readonly outputs: Readonly<Record<string, boolean>>;
  /** Clock.monotonic() of the poll that produced this snapshot; 0 before the first poll. */
  readonly at: number;
}

export type DoorChange =
  | { kind: 'input'; role: string; value: boolean; snapshot: DoorSnapshot }
  | { kind: 'register'; role: string; value: number; snapshot: DoorSnapshot }
  | { kind: 'output'; role: string; value: boolean; snapshot: DoorSnapshot };

export interface DoorEvents {
  /**
   * One event per role whose value differs from the previous poll, after the whole snapshot
   * was updated (so `snapshot` is consistent across the roles that changed together).
   * The first successful poll after start() emits no changes: it sets the baseline.
   */
  change: DoorChange;
  /**
   * No complete poll for `faultAfterMs` (silence, bad frames, exception answers, or the
   * serial device vanished); the code names the last cause (DoorErrorCode). Emitted once per
   * outage; `healthy` is false from then until 'recovered'. Motor fault bits and tamper are
   * data in the snapshot, not link faults: the gate decides what they mean.
   */
  fault: DeviceError;
  /** A full poll succeeded again after a fault; carries the fresh snapshot. */
  recovered: DoorSnapshot;
  /** Every complete poll (after its 'change' events), the first one included: for input debouncing. */
  poll: DoorSnapshot;
}

/** Codes on DeviceError (device 'door') raised or emitted by door controllers. */
export const DoorErrorCode = {
  /** No answer within the response timeout, after every retry. */
  TIMEOUT: 'DOOR_TIMEOUT',
  /** Answers arrived but were malformed (bad CRC, wrong length, wrong unit). */
  BAD_FRAME: 'DOOR_BAD_FRAME',
  /** The controller answered with a Modbus exception (e.g. refusing to open after a trip). */
  EXCEPTION: 'DOOR_EXCEPTION',
  /** The serial device is absent or was lost (adapter unplugged); reconnecting. */
  PORT_LOST: 'DOOR_PORT_LOST',
  /** A command while the controller is faulted or the driver is stopped. */
  OFFLINE: 'DOOR_OFFLINE',
  /** A role that the layout's role map does not name, or a value of the wrong type. */
  UNKNOWN_ROLE: 'DOOR_UNKNOWN_ROLE',
} as const;

export interface DoorControllerOptions {
  /**
   * Called before every heartbeat; the heartbeat is written only while it returns true.
   * The gate passes a check that its own control loop ticked recently, so a hung gate stops
   * the heartbeat and the controller's watchdog closes both doors (door-io.md).
   */
  isControlLoopAlive: () => boolean;
}

export interface DoorController {
  readonly layout: DoorLayout;
  /** True while polls are answered; false before the first answer and during a fault. */
  readonly healthy: boolean;

  /**
   * Opens the link, writes watchdog_ms, and starts polling (≥ 10 Hz) and the heartbeat.
   * Resolves after the first poll succeeded, or after `faultAfterMs` with 'fault' emitted
   * (an absent controller does not reject start(): the driver keeps reconnecting, and the
   * gate stays out of service until 'recovered'). Rejects only on a bad role map.
   */
  start(): Promise<void>;

  /**
   * Stops polling and the heartbeat and closes the link. Does not command the doors: with no
   * heartbeat the controller's watchdog closes them within watchdog_ms. Idempotent.
   */
  stop(): Promise<void>;

  /**
   * Writes the given coil roles (true = on/open), serialised with polls on the one bus,
   * contiguous coils in one transaction. Resolves when the controller acknowledged; the
   * snapshot shows the read-back value after the next poll. Rejects with DeviceError:
   * UNKNOWN_ROLE (nothing written), OFFLINE, TIMEOUT / BAD_FRAME after retries, or
   * EXCEPTION when the controller refuses (opening a door while its watchdog is tripped).
   */
  setOutputs(changes: Partial<Record<string, boolean>>): Promise<void>;

  /** The last polled state (a fresh object each poll; safe to keep). */
  snapshot(): DoorSnapshot;

  /** Subscribes to an event; returns the unsubscribe function. A throwing listener is isolated. */
  on<K extends keyof DoorEvents>(event: K, fn: (payload: DoorEvents[K]) => void): () => void;
}
