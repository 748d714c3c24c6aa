import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InstallStep } from '../../kiosk/update/slots.ts';
import { afterPowerCut, closeWorlds, gateWith, pool, runChild } from './power-cut-harness.ts';

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
  await pool(STEPS, 4, async (step) => {
    const w = await gateWith('1.1.0');
    const r = await runChild(w, { killAt: step });
    assert.is(r.signal, 'SIGKILL', `killed at ${step}:\n${r.out}`);
    await afterPowerCut(w, step === 'confirmed' ? '1.1.0' : '1.0.0', `cut at ${step}`);
  });
});

test.run();
