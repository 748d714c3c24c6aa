import type { JournalEvent } from '../../kiosk/journal/index.ts';

/** The alarm queue's kinds (the console's filter and colours follow them). */
export const ALARM_KINDS = ['tailgate', 'forced_door', 'fire', 'device_fault', 'chain_broken', 'gate_silent', 'gate_alarm', 'update', 'rollout'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export interface AlarmChange {
  op: 'raise' | 'clear';
  kind: AlarmKind;
  code: string;
  detail: Record<string, unknown>;
}

const KIND_OF_GATE_ALARM: Record<string, AlarmKind> = {
  TAILGATE: 'tailgate',
  DOOR_FORCED: 'forced_door',
  FORCED_DOOR: 'forced_door',
  FIRE_ALARM: 'fire',
  OUTBOX_FULL: 'device_fault',
};

/**
 * What a gate's own event means for the alarm queue. The gate decides what an alarm is
 * (tailgate, forced door, fire); the centre only files it, and clears it when the gate
 * journals the matching all-clear.
 */
export function alarmChange(e: JournalEvent): AlarmChange | undefined {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'alarm_raised':
    case 'alarm_cleared': {
      const code = String(d.alarm ?? 'UNKNOWN').slice(0, 64);
      return { op: e.type === 'alarm_raised' ? 'raise' : 'clear', kind: KIND_OF_GATE_ALARM[code] ?? 'gate_alarm', code, detail: d };
    }
    case 'emergency_started':
      return { op: 'raise', kind: 'fire', code: 'EMERGENCY', detail: d };
    case 'emergency_ended':
      return { op: 'clear', kind: 'fire', code: 'EMERGENCY', detail: d };
    case 'device_fault':
      return { op: 'raise', kind: 'device_fault', code: `${String(d.device ?? '?')}:${String(d.code ?? '?')}`.slice(0, 64), detail: d };
    case 'device_recovered':
      return { op: 'clear', kind: 'device_fault', code: `${String(d.device ?? '?')}:`, detail: d };
    // Signed updates (issue 18): a refused release (an attack class, or a bad model) and a rollback reach the queue.
    case 'update_refused':
      // an unreachable repository is retried at the next check, not an alarm
      if (d.reason === 'UPDATE_UNREACHABLE') return undefined;
      return { op: 'raise', kind: 'update', code: String(d.reason ?? 'UPDATE_REFUSED').slice(0, 64), detail: d };
    case 'update_rolled_back':
      return { op: 'raise', kind: 'update', code: `ROLLED_BACK:${String(d.reason ?? '?')}`.slice(0, 64), detail: d };
    default:
      return undefined;
  }
}
