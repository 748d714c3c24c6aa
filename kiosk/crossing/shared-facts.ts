import type { CrossingContext, CrossingState } from './context.ts';
import type { CrossingEvent } from './events.ts';
import type { CrossingFact } from './facts.ts';
import type { Mode } from './outcomes.ts';
import type { FaceVerdict } from './types.ts';

/**
 * What every crossing profile reports the same way: the token check, the face verdicts and
 * mode changes, as plain functions of the context. The statecharts wrap them in their own
 * assign/emit actions, so a vehicle lane and a pedestrian lane journal identical facts.
 */

/** What kind of token a reader delivers, as journalled before the token is checked. */
export const tokenTypeOf = (channel: string): string => (channel === 'qr' ? 'mobile' : channel);

/** token_checked data for a check that ran; `fromMs` is when the token was read. */
export function tokenCheckedData(c: CrossingState | null, fromMs: number | undefined): Record<string, unknown> {
  const t = c?.token;
  return {
    crossing: c?.id ?? 'none',
    channel: c?.channel ?? null,
    ok: t?.ok === true,
    result: t?.ok ? 'accepted' : 'refused',
    reason: t ? (t.ok ? null : t.reason) : (c?.reason ?? 'CHECK_FAILED'),
    subject: t?.subject ?? null,
    token_type: t?.tokenType ?? null,
    ms: c?.marks.tokenDone !== undefined && fromMs !== undefined ? Math.round(c.marks.tokenDone - fromMs) : null,
    ...(t?.detail ?? {}),
  };
}

/** token_checked data for a read the crossing did not take (busy lane, no vehicle). */
export function tokenIgnoredData(crossing: string | null, event: CrossingEvent, reason: string): Record<string, unknown> {
  return {
    crossing: crossing ?? 'none',
    channel: event.type === 'TOKEN_READ' ? event.channel : null,
    token_type: event.type === 'TOKEN_READ' ? tokenTypeOf(event.channel) : null,
    ok: false,
    result: 'ignored',
    reason,
    subject: null,
  };
}

/** The crossing after one more judged frame: attempts, best score, spoof streak, cost. */
export function withFaceVerdict<C extends CrossingState>(c: C, r: FaceVerdict): C {
  const compared = r.score !== null;
  return {
    ...c,
    attempts: c.attempts + (compared ? 1 : 0),
    bestScore: r.score !== null && (c.bestScore === null || r.score > c.bestScore) ? r.score : c.bestScore,
    liveness: r.liveness ?? c.liveness,
    spoofStreak: r.decision === 'spoof' ? c.spoofStreak + 1 : r.decision === 'no_face' ? c.spoofStreak : 0,
    frames: c.frames + 1,
    frameMs: c.frameMs + r.ms,
    lastDecision: r.decision,
  };
}

/** One face_attempt per change of verdict (not per frame: 15 fps would flood the journal). */
export function faceAttemptFact(c: CrossingState | null, r: FaceVerdict): CrossingFact {
  if (!c || r.decision === c.lastDecision) return { type: 'none' };
  return {
    type: 'journal',
    event: 'face_attempt',
    data: {
      crossing: c.id,
      attempt: c.attempts + (r.score !== null ? 1 : 0),
      decision: r.decision,
      match_score: r.score,
      liveness_score: r.liveness,
      issues: r.issues,
      other_faces: r.otherFaces,
      ms: Math.round(r.ms),
    },
  };
}

/** Why the mode changed, in the words of mode_changed.reason. `extraFaults` are the profile's own. */
export function modeChangeReason(ctx: CrossingContext, event: CrossingEvent, to: Mode, extraFaults: string[] = []): string {
  if (event.type === 'SET_MODE' || event.type === 'RESET') return `technician:${event.by}`;
  if (ctx.fireAlarm) return 'fire_alarm';
  const faults = [...ctx.faults, ...extraFaults];
  if (faults.length) return `fault:${faults.join(',')}`;
  if (to === 'in_service') return 'healthy';
  return ctx.modeReason || 'starting';
}
