import type { Candidate } from './identify-port.ts';
import type { TrackView } from './tracker.ts';

/**
 * When a track is decided, and what. A walking traveller is seen by several cameras over a
 * few seconds; deciding on the first frame would use the smallest, least sharp face, and
 * waiting until the door would make them stop. So: a match is taken as soon as enough frames
 * are pooled; a refusal only at the decision line (the last chance before the door), when
 * every frame the cameras could give has been pooled.
 */
export interface DecideOptions {
  /** Frames pooled before a match may be taken. */
  minFrames: number;
  /** Metres before the exit door where the track must be decided with what it has. */
  decisionLineM: number;
  corridorLengthM: number;
  livenessThreshold: number;
}

export type TrackDecision =
  | { kind: 'match'; subject: string; score: number; liveness: number | null; frames: number }
  | { kind: 'no_match'; score: number | null; liveness: number | null; frames: number }
  | { kind: 'spoof'; liveness: number | null; frames: number };

/** Frames pooled, or the track is at the decision line: time to search. */
export function readyToDecide(v: TrackView, o: DecideOptions): boolean {
  if (!v.fused) return false;
  return v.fused.frames >= o.minFrames || atDecisionLine(v, o);
}

export function atDecisionLine(v: TrackView, o: DecideOptions): boolean {
  return o.corridorLengthM - v.z <= o.decisionLineM;
}

/**
 * The decision on a track, or null: keep pooling. Liveness first (a photo must not be
 * searched into a match); fails closed — a NaN or missing liveness is a spoof.
 */
export function judge(v: TrackView, candidate: Candidate | null, o: DecideOptions): TrackDecision | null {
  const f = v.fused;
  if (!f) return null;
  const final = atDecisionLine(v, o);
  const live = f.liveness !== null && f.liveness >= o.livenessThreshold;
  if (!live) return final ? { kind: 'spoof', liveness: f.liveness, frames: f.frames } : null;
  if (candidate && (f.frames >= o.minFrames || final)) return { kind: 'match', subject: candidate.subject, score: candidate.score, liveness: f.liveness, frames: f.frames };
  return final ? { kind: 'no_match', score: candidate?.score ?? null, liveness: f.liveness, frames: f.frames } : null;
}
