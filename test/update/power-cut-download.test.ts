import { test } from 'uvu';
import type { InstallStep } from '../../kiosk/update/slots.ts';
import { closeWorlds, cutAtEachStep } from './power-cut-harness.ts';

/**
 * A power cut (SIGKILL from inside the installing process, no clean-up) at every step
 * boundary of an install's download, copy and unpack (the rest: power-cut-prepare, -switch).
 * Invariant at the next start: current = confirmed, a complete verified release (the old
 * one: nothing was switched yet), and it reaches READY.
 */
const STEPS: (InstallStep | 'fetch')[] = [
  'fetch', 'prepare_begin', 'targets_copied', 'bundle_unpacked',
];

test.after(closeWorlds);

test('a power cut at every step of download, copy and unpack leaves a complete verified release', async () => {
  await cutAtEachStep(STEPS);
});

test.run();
