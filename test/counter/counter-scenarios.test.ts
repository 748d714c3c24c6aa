import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { COUNTER_SCENARIOS, playCounterScenario } from '../../scripts/sim/counter-scenarios.ts';
import { CounterWorld } from '../../scripts/sim/counter-world.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * Every built-in counter scenario (the demo's) through the real counter parts — Express document
 * check on the chip and MRZ twins, best-frame capture from the camera twin on the face engine,
 * officer desk, arrival-record store, journal: each case's document verdict, face decision and
 * doubt, the officer's buttons, the outcome, the sealed record only on a decision with a
 * portrait, the officer's journalled actions, and the station back at the start.
 */
// the test passports are made with openssl and ffmpeg (scripts/make-passport.ts)
const t = peerSuite<{ engine: FaceEngine; world: CounterWorld }>('counter camera scenarios in the twin: expected vs actual', ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.world = await CounterWorld.open(new SimulatedClock(), ctx.engine);
});
t.after(async (ctx) => {
  await ctx.world?.close();
  await ctx.engine?.close();
});

for (const sc of COUNTER_SCENARIOS) {
  t(`${sc.name} → ${sc.expect.outcome}${sc.expect.document ? ` (${sc.expect.document})` : ''}`, async ({ world }) => {
    const r = await playCounterScenario(world, sc);
    assert.ok(r.ok, r.why.join('; '));
    assert.is(r.got, sc.expect.outcome);
  });
}

t('the journal chain verifies; cases carry bands and pseudonyms only', async ({ world }) => {
  const events = world.journal.readAfter(0, 100_000);
  const cases = events.filter((e) => e.type === 'counter_case').map((e) => e.data as Record<string, unknown>);
  assert.ok(cases.length >= COUNTER_SCENARIOS.length);
  for (const c of cases) {
    assert.match(String(c.arrival), /^ARR-[A-Za-z0-9_-]{12}$/);
    if (c.subject !== null) assert.match(String(c.subject), /^[0-9a-f]{32}$/);
  }
  assert.ok(verifyJournal(world.journal.path).ok);
});

t.run();
