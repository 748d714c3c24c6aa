import type { SnapshotFrom } from 'xstate';
import type { pedestrianMachine } from './pedestrian-machine.ts';

export type PedestrianOutputs = {
  entry_release: boolean;
  exit_release: boolean;
  entry_green: boolean;
  entry_red: boolean;
  exit_green: boolean;
  exit_red: boolean;
  buzzer: boolean;
  out_of_service_sign: boolean;
};

const CLOSED: PedestrianOutputs = {
  entry_release: false,
  exit_release: false,
  entry_green: false,
  entry_red: false,
  exit_green: false,
  exit_red: false,
  buzzer: false,
  out_of_service_sign: false,
};

/**
 * What the doors, lamps and buzzer must show in each state. Outputs are a pure function of
 * the state (never toggled from callbacks), so after any event — a restart, a reconnect —
 * the binding simply writes this table again. Doors open only in states that follow a
 * decision (entry after a valid token, exit after a face match) or to let someone out.
 */
export function pedestrianOutputs(s: SnapshotFrom<typeof pedestrianMachine>): PedestrianOutputs {
  const on = (o: Partial<PedestrianOutputs>): PedestrianOutputs => ({ ...CLOSED, ...o });
  if (s.matches({ emergency: 'active' })) {
    // The controller opens both doors itself on the fire alarm; we command the same.
    return on({ entry_release: true, exit_release: true, entry_green: true, exit_green: true, out_of_service_sign: true, buzzer: true });
  }
  if (s.matches('emergency')) {
    // Alarm cleared, awaiting the reset: closed like out of service; the entry lets the last people out.
    return on({ out_of_service_sign: true, entry_red: true, exit_red: true, entry_release: s.matches({ emergency: { awaiting_reset: 'releasing' } }) });
  }
  if (s.matches('out_of_service') || s.matches('maintenance')) {
    const controllerUp = !s.context.faults.includes('controller');
    // A forced door sounds the buzzer until a technician has seen it (maintenance clears the latch).
    const forced = s.context.latched.some((l) => l.startsWith('door_forced:'));
    return on({ out_of_service_sign: true, entry_red: true, exit_red: true, entry_release: s.context.releaseOccupant && controllerUp, buzzer: forced });
  }
  if (s.matches({ in_service: 'idle' })) return on({ entry_green: true });
  if (s.matches({ in_service: 'token_refused' })) return on({ entry_red: true });
  if (s.matches({ in_service: { entry: 'open' } })) return on({ entry_release: true, entry_green: true });
  if (s.matches({ in_service: 'tailgate' })) return on({ entry_release: true, entry_red: true, exit_red: true, buzzer: true });
  if (s.matches({ in_service: { exit: 'open' } })) return on({ exit_release: true, exit_green: true });
  if (s.matches({ in_service: { exit: 'lingering' } })) return on({ exit_release: true, exit_green: true, buzzer: true });
  if (s.matches({ in_service: { refused: 'open' } })) return on({ entry_release: true, exit_red: true });
  if (s.matches({ in_service: { refused: 'closing' } })) return on({ exit_red: true });
  return CLOSED;
}
