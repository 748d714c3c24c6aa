import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { detCurve, equalErrorRate, rateAtFar } from '../../kiosk/biometrics/metrics.ts';

test('rateAtFar sits just above the impostor score that the FAR still allows', () => {
  // 10 impostors: FAR 0.1 allows one above the threshold, so the threshold is just above the 2nd highest.
  const imp = [0.1, 0.2, 0.15, 0.3, 0.05, 0.42, 0.38, 0.11, 0.09, 0.25];
  const gen = [0.9, 0.8, 0.39, 0.37, 0.7];
  const r = rateAtFar(gen, imp, 0.1);
  assert.is(r.threshold, 0.381);
  assert.is(r.far, 0.1);
  assert.is(r.tar, 0.8);
  assert.not.ok(r.unresolved);
  const strict = rateAtFar(gen, imp, 0.01);
  assert.is(strict.threshold, 0.421);
  assert.is(strict.far, 0);
  assert.ok(strict.unresolved);
});

test('a failed detection (−Infinity) counts as a rejection, never drops from the denominator', () => {
  const r = rateAtFar([0.9, -Infinity], [0.1, 0.2], 0.5);
  assert.is(r.tar, 0.5);
});

test('equal error rate: 0 when separated, 0.5 when identical distributions', () => {
  assert.is(equalErrorRate([0.8, 0.9], [0.1, 0.2]), 0);
  assert.is(equalErrorRate([0.5, 0.5], [0.5, 0.5]), 0.5);
  const eer = equalErrorRate([0.9, 0.8, 0.3, 0.7], [0.1, 0.35, 0.2, 0.25]);
  assert.is(eer, 0.25);
});

test('DET curve: rates move monotonically with the threshold', () => {
  const det = detCurve([0.9, 0.6, 0.4], [0.5, 0.2, 0.1]);
  for (let i = 1; i < det.length; i++) {
    assert.ok(det[i]!.far >= det[i - 1]!.far);
    assert.ok(det[i]!.frr <= det[i - 1]!.frr);
  }
});

test.run();
