/** The fixed outcome codes of gate-flow.md (journal, MQTT, demo reports). */
export const OUTCOMES = [
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
export type Outcome = (typeof OUTCOMES)[number];

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
