import type { Timings } from '../../config/sections/gate.ts';
import type { Outcome } from './outcomes.ts';
import type { GateIo, TokenVerdict } from './types.ts';

/**
 * What must survive a restart (kill -9, power loss): the mode a technician or the central
 * system commanded, an emergency in progress or awaiting its reset, and the faults only a
 * technician clears. Stored by the binding (lane-state.ts) before a command is acknowledged.
 */
export interface LaneResume {
  commanded: 'in_service' | 'out_of_service' | 'maintenance';
  emergency: 'none' | 'active' | 'awaiting_reset';
  latched: string[];
}

export const NO_RESUME: LaneResume = { commanded: 'in_service', emergency: 'none', latched: [] };

/** The crossing in progress: everything here lives in memory for this crossing only. */
export interface CrossingState {
  id: string;
  channel: string;
  startedAt: number;
  token: TokenVerdict | null;
  /** Monotonic ms at each milestone, for the durations of crossing_finished. */
  marks: { tokenDone?: number; entryOpened?: number; entryClosed?: number; faceDone?: number; exitOpened?: number };
  outcome: Outcome | null;
  reason: string;
  attempts: number;
  bestScore: number | null;
  liveness: number | null;
  spoofStreak: number;
  /** Frames judged and their summed engine time, for the mean per-frame cost. */
  frames: number;
  frameMs: number;
  lastDecision: string | null;
  seenExitZone: boolean;
}

export interface CrossingContext {
  timings: Timings;
  tokenRefusal: 'REJECTED_TOKEN' | 'REJECTED_DOCUMENT';
  /** Consecutive live-rated-spoof frames with a face that make a presentation attack. */
  padFrames: number;
  now: () => number;
  newId: () => string;
  io: GateIo;
  faults: string[];
  fireAlarm: boolean;
  crossing: CrossingState | null;
  /** A traveller was inside when a fault stopped the crossing: let them out by the entry door. */
  releaseOccupant: boolean;
  guidance: string[];
  /** Why the gate is out of service, for display and status. */
  modeReason: string;
  /** The mode last journalled (mode_changed from → to). */
  mode: string;
  /**
   * The last crossing's outcome and reason: finish clears the crossing on entering a refusal,
   * so the screen reads the reason from here (kept until the next crossing finishes).
   */
  last: { outcome: Outcome; reason: string } | null;
  /** What the previous process left commanded or latched (lane-state.ts); used while starting. */
  resume: LaneResume;
  /** The controller has reported the lane once: nothing is decided (or written) before. */
  ioKnown: boolean;
  /** The (debounced) fire input has been reported once. */
  fireKnown: boolean;
  /** A resumed emergency: entering it again journals no second emergency_started. */
  resumedEmergency: boolean;
  /** Faults only a technician clears (maintenance): a forced door (`door_forced:entry`). */
  latched: string[];
}

export interface CrossingInput {
  timings: Timings;
  /** The outcome of a refused token: REJECTED_DOCUMENT where the token is an e-passport. */
  tokenRefusal?: 'REJECTED_TOKEN' | 'REJECTED_DOCUMENT';
  padFrames?: number;
  /** The commanded mode and latched states the last process persisted (none on a first start). */
  resume?: LaneResume;
  now: () => number;
  newId: () => string;
}

export function initialContext(input: CrossingInput): CrossingContext {
  return {
    timings: input.timings,
    tokenRefusal: input.tokenRefusal ?? 'REJECTED_TOKEN',
    padFrames: input.padFrames ?? 3,
    now: input.now,
    newId: input.newId,
    io: { inputs: {}, registers: {} },
    faults: [],
    fireAlarm: false,
    crossing: null,
    releaseOccupant: false,
    guidance: [],
    modeReason: 'starting',
    mode: 'starting',
    last: null,
    resume: input.resume ?? NO_RESUME,
    ioKnown: false,
    fireKnown: false,
    resumedEmergency: false,
    latched: [...(input.resume?.latched ?? [])],
  };
}

export function newCrossing(ctx: CrossingContext, channel: string): CrossingState {
  return {
    id: ctx.newId(),
    channel,
    startedAt: ctx.now(),
    token: null,
    marks: {},
    outcome: null,
    reason: '',
    attempts: 0,
    bestScore: null,
    liveness: null,
    spoofStreak: 0,
    frames: 0,
    frameMs: 0,
    lastDecision: null,
    seenExitZone: false,
  };
}
