import { initialContext, newCrossing, type CrossingContext, type CrossingInput, type CrossingState } from './context.ts';
import type { Outcome } from './outcomes.ts';
import type { CrossingRecord, GateIo } from './types.ts';

/** A vehicle session: starts when a car stops on loop_approach, ends with one outcome. */
export interface VehicleCrossing extends CrossingState {
  /** When the driver's token was read (token_ms counts the check, not the search for the card). */
  tokenReadAt?: number;
  /** When the arm was commanded up, and whether the car was seen under it and past it. */
  raisedAt?: number;
  seenUnder: boolean;
  seenExit: boolean;
  /** The car has not passed within vehiclePassTimeoutMs of the arm rising (alarm, buzzer). */
  stalled: boolean;
}

export interface VehicleContext extends Omit<CrossingContext, 'crossing'> {
  crossing: VehicleCrossing | null;
  /**
   * The arm is commanded up. Set only by a decision (a face match) or the fire alarm; cleared
   * only while nothing is under the arm — the one place the never-onto-a-vehicle rule lives.
   */
  armUp: boolean;
  /** The loops told an impossible story (a car vanished between loop_barrier and loop_exit). */
  loopFault: boolean;
  /** The last session's outcome and reason, for the screen after the session is gone from memory. */
  last: { outcome: Outcome; reason: string } | null;
}

export function initialVehicleContext(input: CrossingInput): VehicleContext {
  const base = initialContext(input);
  // A loop fault survives a restart like the other latched faults (only maintenance clears it).
  return { ...base, latched: base.latched.filter((l) => l !== 'loops'), crossing: null, armUp: false, loopFault: base.latched.includes('loops'), last: null };
}

export function newVehicleCrossing(ctx: VehicleContext): VehicleCrossing {
  return { ...newCrossing(ctx as CrossingContext, 'none'), seenUnder: false, seenExit: false, stalled: false };
}

const loop = (io: GateIo, role: string): boolean => io.inputs[role] === true;

/** Something is under the arm: the loop says so, or the controller counts a vehicle there. */
export const underArm = (io: GateIo): boolean => loop(io, 'loop_barrier') || (io.registers.vehicle_count ?? 0) > 0;
export const atWindow = (io: GateIo): boolean => loop(io, 'loop_approach');
export const pastArm = (io: GateIo): boolean => loop(io, 'loop_exit');
export const armDown = (io: GateIo): boolean => loop(io, 'barrier_down');
/** fault_bits bit2: the arm met something while lowering and stopped (door-io.md). */
export const armObstructed = (io: GateIo): boolean => ((io.registers.fault_bits ?? 0) & 4) !== 0;

const span = (from: number | undefined, to: number | undefined): number | null =>
  from === undefined || to === undefined ? null : Math.max(0, Math.round(to - from));

/**
 * crossing_finished data of a vehicle session (events.md shape): entry_ms is the driver's
 * time from stopping to presenting the token, token_ms the check itself, face_ms from the
 * token accepted (the driver is already at the window) to the decision, exit_ms from the
 * arm rising to the end.
 */
export function vehicleRecord(ctx: VehicleContext, c: VehicleCrossing, outcome: Outcome, reason: string): CrossingRecord {
  const end = ctx.now();
  const m = c.marks;
  return {
    crossing: c.id,
    outcome,
    reason,
    token_type: c.token?.tokenType ?? null,
    subject: c.token?.subject ?? null,
    match_score: c.bestScore === null ? null : Number(c.bestScore.toFixed(4)),
    liveness_score: c.liveness === null ? null : Number(c.liveness.toFixed(4)),
    attempts: c.attempts,
    face_frame_ms: c.frames > 0 ? Math.round(c.frameMs / c.frames) : null,
    durations: {
      token_ms: span(c.tokenReadAt, m.tokenDone),
      entry_ms: span(c.startedAt, c.tokenReadAt),
      face_ms: m.faceDone !== undefined && c.token?.ok ? span(m.tokenDone, m.faceDone) : null,
      exit_ms: span(c.raisedAt, c.raisedAt === undefined ? undefined : end),
      total_ms: Math.max(0, Math.round(end - c.startedAt)),
    },
  };
}
