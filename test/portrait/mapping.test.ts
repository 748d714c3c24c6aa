import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { portraitSection } from '../../config/sections/portrait.ts';
import * as m from '../../kiosk/portrait/mapping.ts';
import { RULE_IDS, RULES } from '../../kiosk/portrait/rules.ts';
import { propertyRun } from '../helpers/property.ts';

const t = suite('portrait: score mappings and configuration');

t('OFIQ mappings give OFIQ’s values at their reference points', () => {
  assert.is(m.poseScore(0), 100);
  assert.is(m.poseScore(8), 98); // round(100·cos²8°) = 98.06
  assert.is(m.poseScore(90), 0);
  assert.is(m.interEyeScore(70), 50);
  assert.is(m.eyesOpenScore(0.02), 50);
  assert.is(m.mouthClosedScore(0.2), 50);
  assert.is(m.backgroundUniformityScore(10), 95); // 190·(1 − ½)
  assert.is(m.exposureScore(0.5), 100);
  assert.is(m.contrastScore(8), 100);
  assert.is(m.contrastScore(4), 50);
  assert.is(m.shadowScore(1), 100);
  assert.is(m.colourScore(0), 100);
  assert.is(m.cropScores.left(0.9), 50);
  assert.is(m.headSizeScore(m.HEAD_SIZE_CENTRE), 100);
  assert.is(m.sharpnessScore(30), 50);
});

t('every score is an integer 0–100, also for NaN and infinite raw values', () => {
  const fns = [m.poseScore, m.interEyeScore, m.eyesOpenScore, m.mouthClosedScore, m.headSizeScore, m.centredScore, m.backgroundUniformityScore, m.backgroundLightScore, m.exposureScore, m.contrastScore, m.sharpnessScore, m.shadowScore, m.colourScore, ...Object.values(m.cropScores)];
  fc.assert(
    fc.property(fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity)), (x) => fns.every((f) => { const s = f(x); return Number.isInteger(s) && s >= 0 && s <= 100; })),
    propertyRun('portrait scores stay integers in 0..100'),
  );
});

t('monotone where the measure has one good direction', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      return m.eyesOpenScore(lo) <= m.eyesOpenScore(hi) && m.mouthClosedScore(lo) >= m.mouthClosedScore(hi) && m.shadowScore(lo) <= m.shadowScore(hi) && m.poseScore(lo * 90) >= m.poseScore(hi * 90);
    }),
    propertyRun('portrait mappings are monotone'),
  );
});

t('every rule has a limit in the config and wording in three languages', () => {
  const limits = portraitSection.parse({}).minScores;
  assert.equal(new Set(RULE_IDS), new Set(Object.keys(limits)));
  for (const r of RULES) {
    assert.ok(r.id in limits, r.id);
  }
});

t('config: unknown keys and out-of-range limits are errors that name the path', () => {
  const unknown = portraitSection.safeParse({ minScores: { tilt: 50 } });
  assert.not.ok(unknown.success);
  assert.ok(JSON.stringify(unknown.error!.issues).includes('tilt'));
  const top = portraitSection.safeParse({ limits: {} });
  assert.not.ok(top.success);
  const range = portraitSection.safeParse({ minScores: { roll: 101 } });
  assert.not.ok(range.success);
  assert.equal(range.error!.issues[0]!.path, ['minScores', 'roll']);
  assert.is(portraitSection.parse({ minScores: { roll: 90 } }).minScores.roll, 90);
  assert.is(portraitSection.parse({ minScores: { roll: 90 } }).minScores.yaw, 97);
});

t.run();
