import type { SnapshotFrom } from 'xstate';
import type { collectionMachine } from './machine.ts';

type Snap = SnapshotFrom<typeof collectionMachine>;

/** The dispenser's signs as a pure function of the state: the mouth lit only while a card waits there. */
export function collectionOutputs(s: Snap): { mouth_light: boolean; out_of_service_sign: boolean } {
  return { mouth_light: s.matches('awaiting_take'), out_of_service_sign: s.matches('out_of_service') };
}

/** What the resident sees, by state (the kiosk page renders the text in their language). */
export function collectionScreen(s: Snap): string {
  if (s.matches('idle')) return 'scan_slip';
  if (s.matches('checking_slip') || s.matches('fetching') || s.matches('reading_card')) return 'please_wait';
  if (s.matches('face')) return 'look_at_camera';
  if (s.matches('presenting') || s.matches('awaiting_take')) return 'take_card';
  if (s.matches('result')) return 'collected';
  if (s.matches('out_of_service')) return 'out_of_service';
  return 'go_to_counter';
}
