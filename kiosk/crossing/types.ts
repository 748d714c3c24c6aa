import type { Outcome } from './outcomes.ts';

/** The controller's sensors as the crossing engine sees them, by role, both layouts. */
export interface GateIo {
  /** Pedestrian: entry_closed, exit_closed, zone_approach, zone_mantrap, zone_exit. Vehicle: barrier_down, loop_*. */
  inputs: Record<string, boolean>;
  /** mantrap_occupancy / vehicle_count, fault_bits, firmware_version. */
  registers: Record<string, number>;
}

/** Result of a token (or document) check: only what the decision needs, never token text. */
export type TokenVerdict =
  | {
      ok: true;
      tokenType: string;
      /** Pseudonym of the subject for the journal (never the raw identity number). */
      subject: string;
      /** The face reference held in memory for this crossing only. */
      reference: unknown;
      detail?: Record<string, string | number | boolean>;
    }
  | { ok: false; tokenType: string; reason: string; subject?: string; detail?: Record<string, string | number | boolean> };

/** One judged camera frame. */
export interface FaceVerdict {
  decision: 'match' | 'no_match' | 'no_face' | 'poor_quality' | 'spoof';
  score: number | null;
  liveness: number | null;
  /** Quality problems for guidance (no_face, several_faces, too_small, pose, blur, …). */
  issues: string[];
  /** Other clear faces in view (a second person in the mantrap). */
  otherFaces: number;
  ms: number;
}

export interface CrossingRecord {
  crossing: string;
  outcome: Outcome;
  reason: string;
  token_type: string | null;
  subject: string | null;
  match_score: number | null;
  liveness_score: number | null;
  attempts: number;
  durations: { token_ms: number | null; entry_ms: number | null; face_ms: number | null; exit_ms: number | null; total_ms: number };
  /** Mean face-engine time per judged frame (the controller's own cost of one attempt). */
  face_frame_ms: number | null;
}
