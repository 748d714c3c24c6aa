import type { CrossingContext } from '../crossing/context.ts';
import type { CrossingFact } from '../crossing/facts.ts';
import type { Outcome } from '../crossing/outcomes.ts';

/**
 * The corridor's travellers as the walk-through statechart sees them. The corridor loop
 * (corridor-loop.ts) tracks faces and decides; it reports the whole corridor after every
 * frame as a CORRIDOR event. Each track is one crossing ("passage"): started when the track
 * appears, finished when it leaves the cameras (out through the exit, or back out of the
 * entry) with the outcome its story earns.
 */
export interface CorridorTrackReport {
  id: number;
  /** Metres from the entry. */
  z: number;
  /** In front of the exit door. */
  atExit: boolean;
  decision: 'match' | 'no_match' | 'spoof' | null;
  /** Pseudonym of the identified resident (match only). */
  subject: string | null;
  score: number | null;
  liveness: number | null;
  frames: number;
  /** How the face was searched: 'gallery' (1:N) or the tapped token's type (1:1). */
  via: string | null;
}

export type CorridorEvent = { type: 'CORRIDOR'; tracks: CorridorTrackReport[] } | { type: 'CORRIDOR_FAULT'; code: string };

export interface Passage {
  crossing: string;
  startedAt: number;
  decidedAt: number | null;
  last: CorridorTrackReport;
  /** Went through the open exit (zone_exit seen while the door was open for it). */
  passed: boolean;
  /** Reached the exit while the door was open for someone else. */
  tailgated: boolean;
}

export interface WalkthroughContext extends CrossingContext {
  passages: Record<number, Passage>;
  /** The track the exit door is open for. */
  openFor: number | null;
  /** zone_exit seen since the exit opened. */
  exitZoneSeen: boolean;
}

/** The outcome of a passage that has left the corridor. */
export function outcomeOf(p: Passage): { outcome: Outcome; reason: string } {
  if (p.tailgated) return { outcome: 'TAILGATE', reason: 'SECOND_TRACK' };
  if (p.passed) return { outcome: 'CLEARED', reason: 'OK' };
  if (p.last.decision === 'no_match') return { outcome: 'REJECTED_FACE', reason: 'NO_MATCH' };
  if (p.last.decision === 'spoof') return { outcome: 'REJECTED_PAD', reason: 'PRESENTATION_ATTACK' };
  return { outcome: 'ABANDONED', reason: p.last.decision === 'match' ? 'TURNED_BACK' : 'NOT_DECIDED' };
}

/** crossing_finished for a passage, shaped as events.md requires (no template, no identity number). */
export function finishedFact(ctx: Pick<CrossingContext, 'now'>, p: Passage, o: { outcome: Outcome; reason: string }): CrossingFact {
  const now = ctx.now();
  return {
    type: 'journal',
    event: 'crossing_finished',
    data: {
      crossing: p.crossing,
      outcome: o.outcome,
      reason: o.reason,
      token_type: p.last.via === 'gallery' || p.last.via === null ? null : p.last.via,
      subject: p.last.subject,
      match_score: p.last.score,
      liveness_score: p.last.liveness,
      attempts: p.last.frames,
      durations: {
        token_ms: null,
        entry_ms: null,
        face_ms: p.decidedAt === null ? null : Math.round(p.decidedAt - p.startedAt),
        exit_ms: null,
        total_ms: Math.max(0, Math.round(now - p.startedAt)),
      },
      profile: 'walkthrough',
    },
  };
}

/**
 * A new corridor report against the passages: which tracks are new (crossing_started),
 * which were decided now (face_attempt with the decision), which have gone (crossing_finished).
 */
export function reconcile(ctx: WalkthroughContext, tracks: readonly CorridorTrackReport[]): { passages: Record<number, Passage>; facts: CrossingFact[]; gone: number[] } {
  const now = ctx.now();
  const facts: CrossingFact[] = [];
  const passages: Record<number, Passage> = {};
  for (const r of tracks) {
    const old = ctx.passages[r.id];
    // A decision is final for its passage: a later report cannot undo or change it.
    const t: CorridorTrackReport = old?.last.decision ? { ...r, decision: old.last.decision, subject: old.last.subject, score: old.last.score, liveness: old.last.liveness, via: old.last.via, frames: Math.max(r.frames, old.last.frames) } : r;
    const p: Passage = old
      ? { ...old, last: t, decidedAt: old.decidedAt ?? (t.decision ? now : null) }
      : { crossing: ctx.newId(), startedAt: now, decidedAt: t.decision ? now : null, last: t, passed: false, tailgated: false };
    if (!old) facts.push({ type: 'journal', event: 'crossing_started', data: { crossing: p.crossing, channel: 'corridor', token_type: null } });
    if (t.decision && old?.last.decision !== t.decision) {
      facts.push({
        type: 'journal',
        event: 'face_attempt',
        data: { crossing: p.crossing, attempt: t.frames, decision: t.decision, match_score: t.score, liveness_score: t.liveness, issues: [], via: t.via },
      });
    }
    passages[t.id] = p;
  }
  const gone: number[] = [];
  for (const [id, p] of Object.entries(ctx.passages)) {
    if (passages[Number(id)]) continue;
    gone.push(Number(id));
    // The traveller the door is open for, gone from the cameras after the exit zone saw them: through.
    const through = Number(id) === ctx.openFor && ctx.exitZoneSeen;
    facts.push(finishedFact(ctx, p, outcomeOf(through ? { ...p, passed: true } : p)));
  }
  return { passages, facts, gone };
}

/** The track nearest the exit, if any. */
export function front(ctx: WalkthroughContext): CorridorTrackReport | null {
  let best: CorridorTrackReport | null = null;
  for (const p of Object.values(ctx.passages)) if (!best || p.last.z > best.z) best = p.last;
  return best;
}

export const atExitCount = (ctx: WalkthroughContext): number => Object.values(ctx.passages).filter((p) => p.last.atExit).length;
