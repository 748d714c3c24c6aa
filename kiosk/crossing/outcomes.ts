/** The fixed outcome codes of gate-flow.md (journal, MQTT, demo reports): one list, the journal's. */
export { OUTCOME_CODES as OUTCOMES, type OutcomeCode as Outcome } from '../journal/event-types.ts';

export const MODES = ['in_service', 'out_of_service', 'maintenance', 'emergency'] as const;
export type Mode = (typeof MODES)[number];

/** Reasons the crossing engine itself gives (token and document checks bring their own codes). */
export type CrossingReason =
  | 'OK'
  | 'TOKEN_TIMEOUT'
  | 'NO_MATCH'
  | 'PRESENTATION_ATTACK'
  | 'SECOND_FACE'
  | 'NOT_ENTERED'
  | 'OCCUPANCY'
  | 'DEVICE_FAULT'
  | 'FIRE_ALARM'
  | 'REVERSED'
  | (string & {});
