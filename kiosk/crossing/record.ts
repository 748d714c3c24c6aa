import type { CrossingContext, CrossingState } from './context.ts';
import type { Outcome } from './outcomes.ts';
import type { CrossingRecord } from './types.ts';

const span = (from: number | undefined, to: number | undefined): number | null =>
  from === undefined || to === undefined ? null : Math.max(0, Math.round(to - from));

/** The crossing_finished data of events.md, built from the crossing's milestones. */
export function crossingRecord(ctx: CrossingContext, c: CrossingState, outcome: Outcome, reason: string): CrossingRecord {
  const end = ctx.now();
  const m = c.marks;
  const token = c.token;
  return {
    crossing: c.id,
    outcome,
    reason,
    token_type: token?.tokenType ?? null,
    subject: token?.subject ?? null,
    match_score: c.bestScore === null ? null : Number(c.bestScore.toFixed(4)),
    liveness_score: c.liveness === null ? null : Number(c.liveness.toFixed(4)),
    attempts: c.attempts,
    face_frame_ms: c.frames > 0 ? Math.round(c.frameMs / c.frames) : null,
    durations: {
      token_ms: span(c.startedAt, m.tokenDone),
      entry_ms: span(m.entryOpened, m.entryClosed),
      face_ms: span(m.entryClosed, m.faceDone),
      exit_ms: span(m.exitOpened, m.exitOpened === undefined ? undefined : end),
      total_ms: Math.max(0, Math.round(end - c.startedAt)),
    },
  };
}
