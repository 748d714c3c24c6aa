import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prng } from '../../core/prng.ts';
import { PROPERTY_SEED } from '../helpers/property.ts';
import { afterPowerCut, closeWorlds, gateWith, pool, runChild } from './power-cut-harness.ts';

/**
 * Power cuts at seeded random instants of an install with a 2 MB bundle (mid-download,
 * mid-unpack, mid-fsync); then an install without a cut completes.
 */
test.after(closeWorlds);

test('power cuts at seeded random instants of an install, and an install without one', async () => {
  const rand = prng(PROPERTY_SEED);
  console.log(`power cuts: seed ${PROPERTY_SEED} (EGATE_SEED=${PROPERTY_SEED} replays it)`);
  const instants = [0, 1].map(() => Math.floor(rand() * 6000));
  await pool([...instants, -1], 4, async (at) => {
    const w = await gateWith('5.0.0', 'good', 2_000_000);
    const r = await runChild(w, at < 0 ? {} : { killAfterMs: at });
    if (at < 0) assert.match(r.out, /"outcome":"confirmed"/, r.out);
    let expected = '1.0.0';
    if (r.signal !== 'SIGKILL') {
      assert.is(r.code, 0, `finished before the cut at ${at} ms:\n${r.out}`);
      expected = '5.0.0';
    } else if (r.out.includes('step confirmed')) expected = '5.0.0';
    await afterPowerCut(w, expected, at < 0 ? 'no cut' : `cut at ${at} ms (seed ${PROPERTY_SEED})`);
  });
});

test.run();
