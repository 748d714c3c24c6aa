import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decodeDetections, detectCanvas, DETECT_H, DETECT_W, iou, nms, rankFaces, type Box, type Detection } from '../../kiosk/biometrics/detect.ts';
import { propertyRun } from '../helpers/property.ts';

const grey = (width: number, height: number, v = 90) => ({ width, height, data: new Uint8Array(width * height * 3).fill(v) });

test('iou: identical 1, disjoint 0, half-overlap 1/3', () => {
  assert.is(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assert.is(iou([0, 0, 10, 10], [20, 20, 30, 30]), 0);
  assert.is(iou([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
});

test('nms keeps the best of overlapping boxes and every separate face', () => {
  const dets: Detection[] = [
    { box: [100, 100, 200, 220], score: 0.91 },
    { box: [104, 98, 206, 224], score: 0.99 },
    { box: [102, 105, 198, 215], score: 0.95 },
    { box: [400, 100, 480, 200], score: 0.7 },
  ];
  const kept = nms(dets, 0.3);
  assert.equal(kept.map((d) => d.score), [0.99, 0.7]);
});

const box = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 5, max: 200 }), fc.integer({ min: 5, max: 200 }))
  .map(([x, y, w, h]): Box => [x, y, x + w, y + h]);
const det = fc.record({ box, score: fc.double({ min: 0.5, max: 1, noNaN: true }) });

test('nms property: kept boxes never overlap above the threshold; each dropped box overlaps a better kept one', () => {
  fc.assert(fc.property(fc.array(det, { maxLength: 30 }), (dets) => {
    const kept = nms(dets, 0.3);
    for (let i = 0; i < kept.length; i++) for (let j = i + 1; j < kept.length; j++) assert.ok(iou(kept[i]!.box, kept[j]!.box) <= 0.3);
    for (const d of dets) {
      if (kept.includes(d)) continue;
      assert.ok(kept.some((k) => k.score >= d.score && iou(k.box, d.box) > 0.3));
    }
  }), propertyRun('detect #1'));
});

test('rankFaces prefers the confident central face over a larger, less confident background box', () => {
  const real: Detection = { box: [500, 300, 800, 700], score: 0.999 };
  const background: Detection = { box: [0, 0, 420, 520], score: 0.8 };
  const bystander: Detection = { box: [1100, 50, 1180, 150], score: 0.999 };
  assert.equal(rankFaces([background, bystander, real], 1280, 960)[0], real);
  // Equal scores: the bigger, more central face wins.
  const small: Detection = { box: [600, 400, 660, 470], score: 0.99 };
  const big: Detection = { box: [450, 250, 800, 700], score: 0.99 };
  assert.equal(rankFaces([small, big], 1280, 960)[0], big);
});

test('detectCanvas centres the image on a 4:3 padded canvas of its mean colour', () => {
  for (const [w, h] of [[640, 480], [300, 600], [1280, 720], [90, 110]] as const) {
    const c = detectCanvas(grey(w, h));
    // Canvas centre maps to the image centre; the image fills at most 1/1.5 of each side.
    const cx = c.map.a * (DETECT_W / 2) + c.map.c;
    const cy = c.map.e * (DETECT_H / 2) + c.map.f;
    assert.ok(Math.abs(cx - w / 2) < 1e-9 && Math.abs(cy - h / 2) < 1e-9, `${w}x${h} centred`);
    assert.ok(w / c.map.a <= DETECT_W / 1.5 + 1e-9 && h / c.map.e <= DETECT_H / 1.5 + 1e-9, `${w}x${h} padded`);
    assert.is(c.map.a, c.map.e);
    assert.is(c.tensor.length, 3 * DETECT_W * DETECT_H);
    // A flat image and its mean-colour border give one flat tensor: (90 − 127) / 128.
    for (let i = 0; i < c.tensor.length; i += 997) assert.ok(Math.abs(c.tensor[i]! - (90 - 127) / 128) < 1e-6);
  }
});

test('decodeDetections maps a detector box back to source pixels, drops low scores, clips to the image', () => {
  const img = grey(1280, 720);
  const canvas = detectCanvas(img);
  const scores = new Float32Array(3 * 2);
  const boxes = new Float32Array(3 * 4);
  // Anchor 0: a face whose source box is [500, 200, 700, 450]; anchor 1 is below the score floor;
  // anchor 2 reaches past the image's left edge.
  const toNorm = (x: number, y: number): [number, number] => [(x - canvas.map.c) / canvas.map.a / DETECT_W, (y - canvas.map.f) / canvas.map.e / DETECT_H];
  scores.set([0.01, 0.98, 0.9, 0.1, 0.2, 0.8]);
  boxes.set([...toNorm(500, 200), ...toNorm(700, 450), ...toNorm(100, 100), ...toNorm(200, 200), ...toNorm(-50, 300), ...toNorm(60, 420)]);
  const out = decodeDetections(scores, boxes, canvas, img);
  assert.is(out.length, 2);
  const [a, b] = out as [Detection, Detection];
  assert.ok(Math.abs(a.box[0] - 500) < 1e-3 && Math.abs(a.box[3] - 450) < 1e-3, JSON.stringify(a.box));
  assert.ok(Math.abs(a.score - 0.98) < 1e-6);
  assert.is(b.box[0], 0);
});

test.run();
