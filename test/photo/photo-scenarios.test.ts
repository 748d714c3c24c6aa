import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { SimulatedClock } from '../../core/clock.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { RULE_IDS } from '../../kiosk/portrait/rules.ts';
import { makeCast, PHOTO_SCENARIOS, playPhotoScenario, type PhotoCast } from '../../scripts/sim/photo-scenarios.ts';
import { PhotoWorld } from '../../scripts/sim/photo-world.ts';

/**
 * Every built-in photo-kiosk scenario (the demo's) on the real binding, check, engine, desk,
 * store and journal with the device twins: the outcome, the failing rule, the payment's end and
 * the charges the acquirer or the card counted must be the expected ones.
 */
const t = suite<{ engine: FaceEngine; cast: PhotoCast; world: PhotoWorld; applications: Map<string, string> }>('photo kiosk scenarios in the twin: expected vs actual');

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.cast = await makeCast(ctx.engine, PHOTO_SCENARIOS.map((s) => s.print));
  ctx.world = await PhotoWorld.open(new SimulatedClock(), ctx.engine);
  ctx.applications = new Map();
});
t.after(async (ctx) => {
  await ctx.world?.close();
  await ctx.engine?.close();
});

for (const sc of PHOTO_SCENARIOS) {
  t(`${sc.name} → ${sc.expect.outcome}, charged ${sc.expect.charges}`, async ({ world, cast }) => {
    const r = await playPhotoScenario(world, cast, sc);
    assert.ok(r.ok, r.why.join('; '));
    assert.is(r.got, sc.expect.outcome);
    assert.is(r.charges, sc.expect.charges);
  });
}

t('the journal holds rule scores, live numbers and every payment state; no image, template or FPS code', async ({ world }) => {
  const events = world.journal.readAfter(0, 10_000);
  const checks = events.filter((e) => e.type === 'photo_check').map((e) => e.data as Record<string, unknown>);
  const checked = checks.filter((d) => d.step === 'checked');
  assert.is(checked.length, PHOTO_SCENARIOS.length);
  for (const d of checked) assert.equal(Object.keys(d.rules as object).sort(), [...RULE_IDS].sort());
  const live = checks.filter((d) => d.step === 'live');
  assert.ok(live.length >= 1 && live.every((d) => typeof d.liveness_score === 'number'));
  assert.ok(live.some((d) => d.decision === 'spoof') && live.some((d) => d.decision === 'no_match') && live.some((d) => d.decision === 'match' && (d.match_score as number) > 0.4));
  const results = checks.filter((d) => d.step === 'result').map((d) => d.outcome);
  for (const o of ['PAID', 'PHOTO_NOT_COMPLIANT', 'PHOTO_NOT_APPLICANT', 'LIVENESS_FAILED', 'PAYMENT_DECLINED', 'PAYMENT_TIMED_OUT', 'PAYMENT_CANCELLED']) assert.ok(results.includes(o), o);
  const payments = events.filter((e) => e.type === 'payment_state').map((e) => e.data as Record<string, unknown>);
  assert.ok(payments.some((d) => d.state === 'paid' && d.method === 'octopus') && payments.some((d) => d.state === 'paid' && d.method === 'fps'));
  assert.ok(payments.some((d) => d.state === 'cancelling' && d.reason === 'stale_after_restart'));
  const text = JSON.stringify(events);
  assert.not.ok(/hk\.com\.hkicl|template|jpeg|png/i.test(text), 'the journal names an image, a template or the FPS code');
});

t.run();
