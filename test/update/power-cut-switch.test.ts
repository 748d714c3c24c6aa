import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InstallStep } from '../../kiosk/update/slots.ts';
import { afterPowerCut, closeWorlds, gateWith, pool, runChild } from './power-cut-harness.ts';

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
  await pool(STEPS, 4, async (step) => {
    const w = await gateWith('1.1.0');
    const r = await runChild(w, { killAt: step });
    assert.is(r.signal, 'SIGKILL', `killed at ${step}:\n${r.out}`);
    await afterPowerCut(w, step === 'confirmed' ? '1.1.0' : '1.0.0', `cut at ${step}`);
  });
});

test.run();
