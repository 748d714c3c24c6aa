/** Facts the crossing engine emits: journal entries (events.md types) and refused commands. */
export type JournalEventType =
  | 'gate_started'
  | 'mode_changed'
  | 'device_fault'
  | 'device_recovered'
  | 'crossing_started'
  | 'token_checked'
  | 'face_attempt'
  | 'crossing_finished'
  | 'alarm_raised'
  | 'alarm_cleared'
  | 'emergency_started'
  | 'emergency_ended'
  | 'maintenance_action'
  | 'config_changed'
  | 'keys_changed';

export type CrossingFact =
  | { type: 'journal'; event: JournalEventType; data: Record<string, unknown> }
  | { type: 'refused'; what: string; reason: string }
  | { type: 'none' };
