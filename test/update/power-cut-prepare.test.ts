import { test } from 'uvu';
import type { InstallStep } from '../../kiosk/update/slots.ts';
import { closeWorlds, cutAtEachStep } from './power-cut-harness.ts';

/**
 * A power cut (SIGKILL from inside the installing process, no clean-up) at every step
 * boundary of preparing the spare slot: models checked, fsync, old slot removed, renamed.
 * Invariant at the next start: current = confirmed, a complete verified release (the old
 * one: nothing was switched yet), and it reaches READY.
 */
const STEPS: (InstallStep | 'fetch')[] = [
  'models_checked', 'slot_synced', 'old_slot_removed', 'slot_renamed',
];

test.after(closeWorlds);

test('a power cut at every step of preparing the slot leaves a complete verified release', async () => {
  await cutAtEachStep(STEPS);
});

test.run();
