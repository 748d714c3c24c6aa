import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bestAccuracyThreshold, detCurve, detCurveThinned, equalErrorRate, foldAccuracy, rateAtFar, sortScores } from '../../kiosk/biometrics/metrics.ts';
import { prng } from '../../core/prng.ts';

const SEED = Number(process.env.METRICS_SEED ?? Date.now() % 1e9);
console.log(`metrics: brute-force comparison seed ${SEED} (METRICS_SEED=${SEED} replays it)`);

// The quadratic definitions the sorted sweeps must reproduce exactly: rescan every pair per threshold.
const pass = (xs: number[], t: number): number => (xs.length ? xs.filter((x) => x >= t).length / xs.length : 0);
const thresholds = (g: number[], i: number[]): number[] => [...new Set([...g, ...i].filter(Number.isFinite))].sort((a, b) => b - a);
function bruteEer(g: number[], i: number[]): number {
  if (g.length && i.length && Math.min(...g) > Math.max(...i)) return 0;
  let best = { gap: Infinity, eer: 1 };
  for (const t of thresholds(g, i)) {
    const far = pass(i, t), frr = 1 - pass(g, t), gap = Math.abs(far - frr);
    if (gap < best.gap || (gap === best.gap && (far + frr) / 2 < best.eer)) best = { gap, eer: (far + frr) / 2 };
  }
  return best.eer;
}
function bruteRateAtFar(g: number[], i: number[], far: number): { threshold: number; far: number; tar: number } {
  const imp = i.filter(Number.isFinite).sort((a, b) => b - a);
  const above = imp[Math.floor(far * i.length)];
  const t = above === undefined ? -1 : Number((Math.ceil((above + 1e-9) / 1e-3) * 1e-3).toFixed(3));
  return { threshold: t, far: pass(i, t), tar: pass(g, t) };
}
function bruteBestAccuracy(g: number[], i: number[]): number {
  let best = i.length / (g.length + i.length);
  for (const t of thresholds(g, i)) best = Math.max(best, (g.filter((x) => x >= t).length + i.filter((x) => !(x >= t)).length) / (g.length + i.length));
  return best;
}


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

test('sorted sweeps equal the brute-force definitions on random scores (ties, −∞, empty sides)', () => {
  const rnd = prng(SEED);
  for (let round = 0; round < 300; round++) {
    // Coarse rounding on some rounds makes many ties; −∞ stands for failed detections.
    const grain = [1e-6, 0.01, 0.1][round % 3]!;
    const draw = (n: number, mean: number): number[] => Array.from({ length: n }, () => (rnd() < 0.03 ? -Infinity : Math.round((mean + (rnd() - 0.5) * 0.8) / grain) * grain));
    const g = draw(Math.floor(rnd() * 30) + (round % 17 === 0 ? 0 : 1), 0.6);
    const i = draw(Math.floor(rnd() * 300) + 1, 0.2);
    const where = `seed ${SEED} round ${round}`;
    assert.is(equalErrorRate(g, i), bruteEer(g, i), `EER, ${where}`);
    for (const far of [0.1, 0.01, 1e-3]) {
      const r = rateAtFar(g, i, far);
      assert.equal({ threshold: r.threshold, far: r.far, tar: r.tar }, bruteRateAtFar(g, i, far), `rateAtFar ${far}, ${where}`);
    }
    const det = detCurve(g, i);
    assert.equal(det, thresholds(g, i).map((t) => ({ threshold: t, far: pass(i, t), frr: 1 - pass(g, t) })), `DET, ${where}`);
    const thin = detCurveThinned(sortScores(g, i));
    assert.ok(thin.every((p) => det.some((q) => q.threshold === p.threshold && q.far === p.far && q.frr === p.frr)), `thinned DET is a subset, ${where}`);
    assert.equal(new Set(thin.map((p) => p.frr)), new Set(det.map((p) => p.frr)), `thinned DET keeps every FRR step, ${where}`);
    if (g.length) assert.ok(Math.abs(bestAccuracyThreshold(sortScores(g, i)).accuracy - bruteBestAccuracy(g, i)) < 1e-12, `best accuracy, ${where}`);
  }
});

test('ten-fold accuracy picks each threshold on the other nine folds only', () => {
  // Fold 0 alone would put the threshold at 0.5; the other nine put it at 0.35, which lets in fold 0's 0.4 impostor.
  const score: number[] = [], same: boolean[] = [], fold: number[] = [];
  for (let f = 0; f < 10; f++) {
    const pairs: [number, boolean][] = f === 0 ? [[0.6, true], [0.4, false]] : [[0.35, true], [0.25, false]];
    for (const [s, d] of pairs) { score.push(s); same.push(d); fold.push(f); }
  }
  const r = foldAccuracy(score, same, fold);
  assert.is(r.folds.length, 10);
  assert.is(r.folds[0]!.accuracy, 0.5);
  for (const f of r.folds.slice(1)) assert.is(f.accuracy, 1);
  assert.ok(Math.abs(r.mean - 0.95) < 1e-12);
});

test.run();
