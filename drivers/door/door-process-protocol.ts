import type { DoorConfig } from '../../config/sections/door.ts';
import type { DoorChange, DoorSnapshot } from './interface.ts';
import type { DoorLinkStats } from './polled-controller.ts';

/**
 * Messages between the gate and its door process (process-controller.ts ↔ door-process.ts),
 * over the IPC channel. Snapshot times are the door process's performance.now(); the gate
 * maps them onto its own monotonic clock with the offset measured at `ready`.
 */
export type ToDoorProcess =
  | { type: 'start'; config: DoorConfig; aliveMs: number; logLevel: string }
  /** The gate's control loop is alive (true) or found dead (false: no heartbeat from now on). */
  | { type: 'alive'; alive: boolean }
  | { type: 'stop' }
  | { type: 'set'; id: number; changes: Partial<Record<string, boolean>> };

export type FromDoorProcess =
  | { type: 'ready'; now: number }
  | { type: 'started' }
  | { type: 'stopped' }
  | { type: 'done'; id: number; error?: { code: string; message: string } }
  | { type: 'change'; change: DoorChange }
  | { type: 'poll'; snapshot: DoorSnapshot; stats: DoorLinkStats }
  | { type: 'fault'; code: string; message: string }
  | { type: 'recovered'; snapshot: DoorSnapshot }
  | { type: 'log'; line: string };

/** A snapshot with `at` moved by `by` ms (0, before the first poll, stays 0). */
export function shiftSnapshot(s: DoorSnapshot, by: number): DoorSnapshot {
  return s.at === 0 ? s : { ...s, at: s.at + by };
}

export function shiftChange(c: DoorChange, by: number): DoorChange {
  return { ...c, snapshot: shiftSnapshot(c.snapshot, by) };
}
