import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CORRIDOR_SCENARIOS, playCorridorScenario } from '../../scripts/sim/corridor-scenarios.ts';
import { PROPERTY_SEED } from '../helpers/property.ts';

// Seeded templates and box jitter; the seed is printed so a failure replays (EGATE_SEED=N).
console.log(`corridor twin scenarios: seed ${PROPERTY_SEED} (EGATE_SEED=${PROPERTY_SEED} replays it)`);

for (const sc of CORRIDOR_SCENARIOS) {
  test(`walk-through twin: ${sc.name} → ${sc.expect.join(', ')}, no wrong opening`, async () => {
    const r = await playCorridorScenario(sc, PROPERTY_SEED, 4, 10);
    assert.equal(r.got, [...sc.expect].sort(), `outcomes ${r.outcomes.map((o) => `${o.outcome}/${o.reason}`).join(' ')}`);
    assert.is(r.wrongOpenings, 0);
  });
}

test('walk-through twin: three cameras at 1.2 m/s clear a resident in under 5 s from the entry to the door', async () => {
  const r = await playCorridorScenario(CORRIDOR_SCENARIOS[0]!, PROPERTY_SEED, 3, 10);
  assert.equal(r.got, ['CLEARED']);
  assert.ok(r.corridorMs.a !== null && r.corridorMs.a! < 5000, `corridor time ${r.corridorMs.a} ms`);
});

test.run();
