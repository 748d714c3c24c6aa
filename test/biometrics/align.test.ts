import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { alignFace, applySimilarity, ARCFACE_TEMPLATE, invertSimilarity, umeyama, type Similarity } from '../../kiosk/biometrics/align.ts';
import type { Point } from '../../kiosk/biometrics/landmarks.ts';
import { propertyRun } from '../helpers/property.ts';

const close = (a: number, b: number, eps: number, what: string): void => assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b}`);

const similarity = fc.record({
  scale: fc.double({ min: 0.05, max: 20, noNaN: true }),
  angle: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
  tx: fc.double({ min: -1000, max: 1000, noNaN: true }),
  ty: fc.double({ min: -1000, max: 1000, noNaN: true }),
}).map(({ scale, angle, tx, ty }): Similarity => ({ a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx, ty }));

test('umeyama recovers any exact similarity from the five template points', () => {
  fc.assert(fc.property(similarity, (t) => {
    const dst = ARCFACE_TEMPLATE.map((p) => applySimilarity(t, p));
    const est = umeyama(ARCFACE_TEMPLATE, dst);
    const k = Math.hypot(t.a, t.b);
    close(est.a, t.a, 1e-9 * (1 + k), 'a');
    close(est.b, t.b, 1e-9 * (1 + k), 'b');
    close(est.tx, t.tx, 1e-6, 'tx');
    close(est.ty, t.ty, 1e-6, 'ty');
  }), propertyRun('align #1'));
});

test('umeyama is the least-squares fit: no nudge of the estimate lowers the residual', () => {
  const src: Point[] = [[10, 10], [50, 12], [30, 30], [14, 48], [47, 50]];
  const dst: Point[] = [[101, 203], [181, 209], [139, 246], [110, 281], [175, 285]];
  const t = umeyama(src, dst);
  const err = (s: Similarity): number => src.reduce((e, p, i) => {
    const q = applySimilarity(s, p);
    return e + (q[0] - dst[i]![0]) ** 2 + (q[1] - dst[i]![1]) ** 2;
  }, 0);
  const best = err(t);
  for (const [k, d] of [['a', 1e-3], ['b', 1e-3], ['tx', 0.05], ['ty', 0.05]] as const) {
    assert.ok(err({ ...t, [k]: t[k] + d }) > best, `+${k}`);
    assert.ok(err({ ...t, [k]: t[k] - d }) > best, `-${k}`);
  }
});

test('umeyama refuses degenerate input', () => {
  assert.throws(() => umeyama([[1, 1]], [[2, 2]]), /two or more/);
  assert.throws(() => umeyama([[1, 1], [1, 1]], [[2, 2], [3, 3]]), /coincide/);
});

test('invertSimilarity undoes the similarity', () => {
  fc.assert(fc.property(similarity, fc.tuple(fc.double({ min: -500, max: 500, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true })), (t, p) => {
    const back = applySimilarity(invertSimilarity(t), applySimilarity(t, p));
    close(back[0], p[0], 1e-6 * (1 + Math.abs(p[0])), 'x');
    close(back[1], p[1], 1e-6 * (1 + Math.abs(p[1])), 'y');
  }), propertyRun('align #2'));
});

test('alignFace puts the five landmarks of a rotated, scaled face onto the ArcFace template', () => {
  // A synthetic 600×500 image with a white 9×9 dot at each landmark of a face 3.2× the
  // template size, rotated 25° and shifted: after alignment each dot sits on its template point.
  const W = 600, H = 500;
  const data = new Uint8Array(W * H * 3);
  const angle = (25 * Math.PI) / 180;
  const t: Similarity = { a: 3.2 * Math.cos(angle), b: 3.2 * Math.sin(angle), tx: 260, ty: 40 };
  const pts = ARCFACE_TEMPLATE.map(([x, y]) => applySimilarity(t, [x + 0.5, y + 0.5]));
  for (const [px, py] of pts) {
    for (let y = Math.round(py) - 4; y <= Math.round(py) + 4; y++) for (let x = Math.round(px) - 4; x <= Math.round(px) + 4; x++) data.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  }
  const out = alignFace({ width: W, height: H, data }, pts);
  const at = (x: number, y: number): number => out[Math.round(y) * 112 + Math.round(x)]! * 128 + 127;
  for (const [x, y] of ARCFACE_TEMPLATE) {
    assert.ok(at(x, y) > 200, `dot on template point ${x},${y}: ${at(x, y)}`);
    assert.ok(at(x + 6, y + 6) < 30, `dark beside template point ${x},${y}`);
  }
  // Outside the source image is black: −127/128 after normalisation, never garbage.
  for (const v of out) assert.ok(v >= -1 && v <= 1.0001);
});

test.run();
