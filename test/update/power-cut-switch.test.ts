import { test } from 'uvu';
import type { InstallStep } from '../../kiosk/update/slots.ts';
import { closeWorlds, cutAtEachStep } from './power-cut-harness.ts';

/**
 * A power cut (SIGKILL from inside the installing process, no clean-up) at every step
 * boundary of the switch (a rollback's: power-cut-rollback.test.ts). Invariant at the next
 * start: current = confirmed, a complete verified release — the new one only once
 * it was confirmed — and it reaches READY.
 */
const STEPS: (InstallStep | 'fetch')[] = [
  'switching', 'switched', 'confirming', 'confirmed',
];

test.after(closeWorlds);

test('a power cut at every step of the switch leaves a complete verified release', async () => {
  await cutAtEachStep(STEPS);
});

test.run();
