import type { SnapshotFrom } from 'xstate';
import type { PedestrianOutputs } from '../crossing/pedestrian-outputs.ts';
import type { walkthroughMachine } from './walkthrough-machine.ts';

/**
 * Doors, lamps and buzzer of the walk-through corridor per state, on the pedestrian I/O
 * layout of door-io.md (the same controller): entry_release holds the entry leaf open while
 * the corridor is in service (an open doorway, docs/decisions.md), exit_release opens the one
 * door that needs a decision. A pure function of the state, re-written by the binding.
 */
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

export function walkthroughOutputs(s: SnapshotFrom<typeof walkthroughMachine>): PedestrianOutputs {
  const on = (o: Partial<PedestrianOutputs>): PedestrianOutputs => ({ ...CLOSED, ...o });
  const occupied = Object.keys(s.context.passages).length > 0 || s.context.io.inputs.zone_mantrap === true;
  if (s.matches({ emergency: 'active' })) return on({ entry_release: true, exit_release: true, entry_green: true, exit_green: true, out_of_service_sign: true, buzzer: true });
  if (s.matches('emergency') || s.matches('out_of_service') || s.matches('maintenance')) {
    // Nobody new walks in; whoever is inside walks back out by the entry (never out by the exit).
    const controllerUp = !s.context.faults.includes('controller');
    const forced = s.context.latched.some((l) => l.startsWith('door_forced:'));
    return on({ out_of_service_sign: true, entry_red: true, exit_red: true, entry_release: occupied && controllerUp, buzzer: forced });
  }
  if (s.matches({ in_service: 'tailgate' })) return on({ entry_release: true, entry_red: true, exit_red: true, buzzer: true });
  if (s.matches({ in_service: { exit: 'open' } })) return on({ entry_release: true, entry_green: true, exit_release: true, exit_green: true });
  if (s.matches({ in_service: { exit: 'lingering' } })) return on({ entry_release: true, entry_green: true, exit_release: true, exit_green: true, buzzer: true });
  if (s.matches('in_service')) return on({ entry_release: true, entry_green: true, exit_red: occupied });
  return CLOSED;
}
