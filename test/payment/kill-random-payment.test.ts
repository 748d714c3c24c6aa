import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prng } from '../../core/prng.ts';
import { PROPERTY_SEED } from '../helpers/property.ts';
import { APPS, assertChargedOnce, killRig, runChild } from './kill-rig.ts';

const RANDOM_KILLS = 3;

test('kill -9 at random moments of payments, then a restart: never a second charge', async () => {
  const rig = await killRig();
  const rand = prng(PROPERTY_SEED);
  console.log(`kill -9 random payment test: seed ${PROPERTY_SEED} (EGATE_SEED=${PROPERTY_SEED} replays the kill delays)`);
  try {
    for (let i = 0; i < RANDOM_KILLS; i++) {
      const run = await runChild(rig.dir, rig.url, {}, Math.floor(rand() * 600));
      assert.ok(run.signal === 'SIGKILL' || run.code === 0, `random kill ${i}: exit ${run.code}: ${run.stderr.slice(0, 400)}`);
    }
    const last = await runChild(rig.dir, rig.url, {});
    assert.is(last.code, 0, `final run failed: ${last.stderr.slice(0, 600)}`);
    assertChargedOnce(rig.dir, rig.acq);
    console.log(`kill -9 random payment test: ${RANDOM_KILLS} kills, ${APPS.length} applications, every application debited once`);
  } finally {
    await rig.close();
  }
});

test.run();
