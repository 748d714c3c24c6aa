import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { afterPowerCut, closeWorlds, gateWith, pool, runChild } from './power-cut-harness.ts';

/**
 * A power cut (SIGKILL from inside the installing process) at every step boundary of a
 * rollback: the new release crashes on start, the launcher goes back. Invariant at the next
 * start: the confirmed release, complete and verified, current = confirmed, and it starts.
 */
test.after(closeWorlds);

test('a power cut at every step of a rollback leaves the confirmed release', async () => {
  await pool(['rolling_back', 'rolled_back'], 2, async (step) => {
    const w = await gateWith('9.0.0', 'crash');
    const r = await runChild(w, { killAt: step });
    assert.is(r.signal, 'SIGKILL', `killed at ${step}:\n${r.out}`);
    await afterPowerCut(w, '1.0.0', `cut at ${step}`);
  });
});

test.run();
