import { z } from 'zod';

/** The enumerated journal event types of events.md; anything else is refused at append. */
export const EVENT_TYPES = [
  'gate_started',
  'mode_changed',
  'device_fault',
  'device_recovered',
  'crossing_started',
  'token_checked',
  'face_attempt',
  'crossing_finished',
  'alarm_raised',
  'alarm_cleared',
  'emergency_started',
  'emergency_ended',
  'maintenance_action',
  'config_changed',
  'keys_changed',
  /** Signed updates (issue 18, kiosk/update/): every refusal reason and every install step. */
  'update_refused',
  'update_staged',
  'update_prepared',
  'update_switched',
  'update_confirmed',
  'update_rolled_back',
  /** Kiosk fee payments (issue 15, kiosk/payment/): every state of every application's payment. */
  'payment_state',
  /** Passport-application photo kiosk (issue 15, kiosk/photo/): rule scores, the live 1:1 and PAD numbers, the outcome; never the print. */
  'photo_check',
  /** Counter officers (issue 15, kiosk/counter/): login, logout, refused login, accept / retake / refer. */
  'officer_action',
  /** Counter camera station (issue 15, kiosk/counter/): the case shown to the officer — verdicts, band, liveness, quality; never the portrait. */
  'counter_case',
  /** Smart-ID collection kiosk (issue 14 §4, kiosk/collection/): every step of a collection — slip hash, card and subject pseudonyms, reason codes; never a number, photo or template. */
  'collection_step',
  /** Visitor self-registration kiosk (issue 14 §3, kiosk/registration/): an enrolment made (reference, subject pseudonym, state, end date) or a visitor refused (reason code, step); never a number or template. */
  'enrolment_created',
  'registration_refused',
  /** The gate's signature over the chain's head (checkpoint.ts); appended by the journal itself. */
  'journal_checkpoint',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Fixed outcome codes of gate-flow.md (journal, MQTT, demo reports). */
export const OUTCOME_CODES = [
  'CLEARED',
  'REJECTED_TOKEN',
  'REJECTED_FACE',
  'REJECTED_PAD',
  'REJECTED_DOCUMENT',
  'ABANDONED',
  'TAILGATE',
  'ABORTED_FAULT',
  'ABORTED_EMERGENCY',
] as const;
export type OutcomeCode = (typeof OUTCOME_CODES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue | undefined };
/** Open-ended event data: any JSON that passes the privacy guard. */
export type JsonObject = { [k: string]: JsonValue | undefined };

/** A subject pseudonym: HMAC-SHA256(gate secret, sub), hex of the first 16 bytes. */
const pseudonymSchema = z.string().regex(/^[0-9a-f]{32}$/, 'subject must be a pseudonym (32 hex), never a raw sub');
const ms = z.number().int().nonnegative().nullable();
const score = z.number().finite().nullable();

/**
 * `crossing_finished.data` as events.md requires it. Scores and durations are null when the
 * crossing never reached that step (a refused token has no match score, no face time).
 */
export const crossingFinishedSchema = z
  .object({
    crossing: z.string().min(1).max(64),
    outcome: z.enum(OUTCOME_CODES),
    /** Machine reason code (tokens.md / gate-flow.md), e.g. BAD_SIGNATURE, BUDGET_SPENT. */
    reason: z.string().max(64).nullable(),
    token_type: z.string().max(32).nullable(),
    subject: pseudonymSchema.nullable(),
    match_score: score,
    liveness_score: score,
    attempts: z.number().int().nonnegative(),
    durations: z
      .object({ token_ms: ms, entry_ms: ms, face_ms: ms, exit_ms: ms, total_ms: z.number().int().nonnegative() })
      .strict(),
  })
  .catchall(z.unknown());
export type CrossingFinishedData = z.input<typeof crossingFinishedSchema>;

export interface CrossingStartedData extends JsonObject {
  crossing: string;
  token_type: string | null;
}

export interface TokenCheckedData extends JsonObject {
  crossing: string;
  token_type: string | null;
  ok: boolean;
  reason: string | null;
  subject: string | null;
}

export interface FaceAttemptData extends JsonObject {
  crossing: string;
  attempt: number;
  match_score: number | null;
  liveness_score: number | null;
  /** Quality gate issues by name ("too_far", "pose"); never the frame. */
  issues: string[];
}

export interface DeviceFaultData extends JsonObject {
  device: string;
  code: string;
}

export interface ModeChangedData extends JsonObject {
  from: string;
  to: string;
  reason: string;
}

/** Data type per event type; types without a dedicated shape take any guarded JSON object. */
export interface EventDataMap {
  gate_started: JsonObject;
  mode_changed: ModeChangedData;
  device_fault: DeviceFaultData;
  device_recovered: { device: string } & JsonObject;
  crossing_started: CrossingStartedData;
  token_checked: TokenCheckedData;
  face_attempt: FaceAttemptData;
  crossing_finished: CrossingFinishedData;
  alarm_raised: { alarm: string } & JsonObject;
  alarm_cleared: { alarm: string } & JsonObject;
  emergency_started: JsonObject;
  emergency_ended: JsonObject;
  maintenance_action: { action: string } & JsonObject;
  config_changed: JsonObject;
  keys_changed: JsonObject;
  update_refused: { reason: string } & JsonObject;
  update_staged: { release: string } & JsonObject;
  update_prepared: { release: string; slot: string } & JsonObject;
  update_switched: { release: string; slot: string } & JsonObject;
  update_confirmed: { release: string; slot: string } & JsonObject;
  update_rolled_back: { release: string; reason: string } & JsonObject;
  payment_state: { application: string; state: string; amount_cents: number } & JsonObject;
  photo_check: { application: string; step: string } & JsonObject;
  officer_action: { officer: string; action: string } & JsonObject;
  counter_case: { arrival: string } & JsonObject;
  collection_step: { step: string } & JsonObject;
  enrolment_created: { enrolment: string; valid_until: string } & JsonObject;
  registration_refused: { reason: string; step: string } & JsonObject;
  journal_checkpoint: { seq: number; hash: string; kid: string; signed: string } & JsonObject;
}

/** Runtime shape checks for the types whose data other systems rely on. */
export const DATA_SCHEMAS: Partial<Record<EventType, z.ZodType>> = {
  crossing_finished: crossingFinishedSchema,
  crossing_started: z.object({ crossing: z.string().min(1), token_type: z.string().nullable() }).catchall(z.unknown()),
  token_checked: z
    .object({ crossing: z.string().min(1), ok: z.boolean(), reason: z.string().nullable(), subject: pseudonymSchema.nullable() })
    .catchall(z.unknown()),
  face_attempt: z.object({ crossing: z.string().min(1), attempt: z.number().int().nonnegative() }).catchall(z.unknown()),
  journal_checkpoint: z
    .object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/), kid: z.string().regex(/^[0-9a-f]{16}$/), signed: z.string().max(1024) })
    .strict(),
};

/** One journal event exactly as hashed, stored and later published on MQTT. */
export interface JournalEvent<T extends EventType = EventType> {
  id: string;
  seq: number;
  gate: string;
  ts: string;
  type: T;
  data: EventDataMap[T];
  prev: string;
  hash: string;
}

export function isEventType(v: unknown): v is EventType {
  return typeof v === 'string' && (EVENT_TYPES as readonly string[]).includes(v);
}
