import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideIdentification, identificationPolicy, IdentifyError, loadIdentificationPoints, type IdentificationPoints } from '../../kiosk/identify/index.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, IdentifyError);
    return (err as IdentifyError).code;
  }
  return 'no error';
}

test('threshold on the best score, margin over the second', () => {
  const p = { threshold: 0.5, margin: 0 };
  assert.equal(decideIdentification([], p), { decision: 'not_identified', reason: 'empty_gallery', score: null });
  assert.equal(decideIdentification([{ sub: 'A', score: 0.499 }], p), { decision: 'not_identified', reason: 'below_threshold', score: 0.499 });
  assert.equal(decideIdentification([{ sub: 'A', score: 0.5 }], p), { decision: 'identified', sub: 'A', score: 0.5, margin: Infinity });
  const two = [{ sub: 'A', score: 0.62 }, { sub: 'B', score: 0.6 }];
  assert.is(decideIdentification(two, p).decision, 'identified', 'margin 0: threshold only');
  assert.equal(decideIdentification(two, { threshold: 0.5, margin: 0.05 }), { decision: 'not_identified', reason: 'ambiguous', score: 0.62 });
  const clear = decideIdentification([{ sub: 'A', score: 0.7 }, { sub: 'B', score: 0.3 }], { threshold: 0.5, margin: 0.05 });
  assert.is(clear.decision === 'identified' && clear.sub, 'A');
  assert.is(decideIdentification([{ sub: 'A', score: NaN }], p).decision, 'not_identified');
  assert.is(code(() => decideIdentification([], { threshold: NaN, margin: 0 })), 'IDENTIFY_BAD_ARGUMENT');
  assert.is(code(() => decideIdentification([], { threshold: 0.5, margin: -0.1 })), 'IDENTIFY_BAD_ARGUMENT');
});

const point = (threshold: number) => ({ threshold, fpir: 0, fnir: 0.1, nonMatedProbes: 1416, matedSearches: 280 });
const POINTS: IdentificationPoints = {
  method: 'test', data: 'test', date: '2026-12-02', margin: 0.02,
  sizes: [
    { gallerySize: 10_000, 'fpir_1e-2': point(0.5), 'fpir_1e-3': point(0.55) },
    { gallerySize: 1_000, 'fpir_1e-2': point(0.45), 'fpir_1e-3': point(0.52) },
  ],
};

test('policy for a gallery size: the smallest calibrated size at least as large; none beyond the largest', () => {
  assert.equal(identificationPolicy(POINTS, 10, 'fpir_1e-3'), { threshold: 0.52, margin: 0.02, name: 'fpir_1e-3@1000' });
  assert.equal(identificationPolicy(POINTS, 1_000, 'fpir_1e-2'), { threshold: 0.45, margin: 0.02, name: 'fpir_1e-2@1000' });
  assert.equal(identificationPolicy(POINTS, 1_001, 'fpir_1e-2', 0), { threshold: 0.5, margin: 0, name: 'fpir_1e-2@10000' });
  assert.is(code(() => identificationPolicy(POINTS, 10_001, 'fpir_1e-3')), 'IDENTIFY_NO_OPERATING_POINT');
  assert.is(code(() => identificationPolicy(POINTS, -1, 'fpir_1e-3')), 'IDENTIFY_BAD_ARGUMENT');
});

test('the calibrated file parses, and its thresholds never fall as the gallery grows or the target tightens', () => {
  const pts = loadIdentificationPoints();
  const sizes = [...pts.sizes].sort((a, b) => a.gallerySize - b.gallerySize);
  assert.ok(sizes.some((s) => s.gallerySize >= 100_000), 'a gallery of 100,000 is covered');
  sizes.forEach((s, i) => {
    assert.ok(s['fpir_1e-3'].threshold >= s['fpir_1e-2'].threshold, `${s.gallerySize}: 1e-3 is stricter`);
    if (i > 0) for (const t of ['fpir_1e-2', 'fpir_1e-3'] as const) assert.ok(s[t].threshold >= sizes[i - 1]![t].threshold, `${t}: ${s.gallerySize} ≥ ${sizes[i - 1]!.gallerySize}`);
  });
  const bad = join(tmpdir(), `egate-identify-points-${process.pid}.json`);
  writeFileSync(bad, JSON.stringify({ ...POINTS, extra: 1 }));
  try {
    assert.is(code(() => loadIdentificationPoints(bad)), 'IDENTIFY_NO_OPERATING_POINT', 'unknown keys are errors');
  } finally {
    rmSync(bad, { force: true });
  }
  assert.is(code(() => loadIdentificationPoints(join(tmpdir(), 'egate-no-such-points.json'))), 'IDENTIFY_NO_OPERATING_POINT');
});

test.run();
