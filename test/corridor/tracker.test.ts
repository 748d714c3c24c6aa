import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prng } from '../../core/prng.ts';
import { defaultGeometry, locate, project } from '../../kiosk/corridor/geometry.ts';
import { CorridorTracker, TrackerError } from '../../kiosk/corridor/tracker.ts';
import { detectionOf, randomTemplate, walkerZ, type Walk } from '../../scripts/sim/corridor-walk.ts';
import { propertyRun } from '../helpers/property.ts';

interface Person { name: string; walk: Walk; template: Float32Array }

/** Plays walkers through the cameras at `fps`; returns which person each track's faces came from. */
function play(people: Person[], cameras: number, fps: number, seed: number, untilMs = 9000) {
  const g = defaultGeometry(cameras);
  const tracker = new CorridorTracker({ geometry: g });
  const rnd = prng(seed);
  const owners = new Map<number, Set<string>>();
  const framesOf = new Map<string, number>();
  const period = 1000 / fps;
  for (let t = 0; t < untilMs; t += period) {
    g.cameras.forEach((cam, ci) => {
      const at = t + (ci * period) / g.cameras.length;
      const dets = [];
      const who: string[] = [];
      for (const p of people) {
        const z = walkerZ(p.walk, at);
        if (z === null || z > g.lengthM + 0.2) continue;
        const d = detectionOf(cam, { z, x: p.walk.x, template: p.template, liveness: 0.9 }, rnd, 1, 0.9);
        if (d) { dets.push(d); who.push(p.name); }
      }
      const ids = tracker.observe({ camera: cam.id, at, detections: dets });
      ids.forEach((id, i) => {
        if (!owners.has(id)) owners.set(id, new Set());
        owners.get(id)!.add(who[i]!);
        framesOf.set(who[i]!, (framesOf.get(who[i]!) ?? 0) + 1);
      });
    });
  }
  return { tracker, owners, framesOf, g };
}

test('geometry: locate undoes project across the corridor', () => {
  const g = defaultGeometry(4);
  for (const cam of g.cameras) {
    for (const z of [0.2, 1, 2, cam.z - 0.5]) {
      const p = project(cam, z, 0.1);
      if (!p) continue;
      const back = locate(cam, p.box);
      assert.ok(Math.abs(back.z - z) < 1e-6 && Math.abs(back.x - 0.1) < 1e-6, `${cam.id} z=${z}: ${JSON.stringify(back)}`);
    }
  }
  assert.is(project(g.cameras[0]!, g.cameras[0]!.z - 0.1, 0), null, 'a face at the camera is not seen whole');
});

test('one walker at 1.2 m/s is one track fed by every camera, with its speed', () => {
  const rnd = prng(7);
  const { tracker, owners, g } = play([{ name: 'a', walk: { enterAt: 0, speed: 1.2, x: 0 }, template: randomTemplate(rnd) }], 3, 15, 1, 4000);
  assert.is(owners.size, 1, `tracks: ${[...owners.keys()]}`);
  const v = tracker.views()[0]!;
  assert.is(v.cameras, g.cameras.length);
  assert.ok(Math.abs(v.z - 4.8) < 0.4, `z ${v.z} at 4 s`);
  assert.ok(Math.abs(v.vz - 1.2) < 0.3, `speed ${v.vz}`);
  assert.ok(v.etaS < 1, `eta ${v.etaS}`);
  assert.ok(v.atExit);
  assert.is(v.fused!.frames, 5);
});

test('two travellers one behind the other, and two side by side, are separate tracks that never swap', () => {
  const rnd = prng(11);
  const inLine = play(
    [
      { name: 'a', walk: { enterAt: 0, speed: 1.2, x: 0 }, template: randomTemplate(rnd) },
      { name: 'b', walk: { enterAt: 700, speed: 1.2, x: 0 }, template: randomTemplate(rnd) },
    ],
    4, 10, 2, 5000,
  );
  assert.is(inLine.owners.size, 2);
  for (const [id, who] of inLine.owners) assert.is(who.size, 1, `track ${id} took faces of ${[...who]}`);
  const abreast = play(
    [
      { name: 'a', walk: { enterAt: 0, speed: 1.0, x: -0.3 }, template: randomTemplate(rnd) },
      { name: 'b', walk: { enterAt: 0, speed: 1.0, x: 0.3 }, template: randomTemplate(rnd) },
    ],
    3, 10, 3, 4000,
  );
  assert.is(abreast.owners.size, 2);
  for (const [id, who] of abreast.owners) assert.is(who.size, 1, `track ${id} took faces of ${[...who]}`);
});

test('a track no camera has seen for lostAfterMs is gone; bad frames are typed errors', () => {
  const g = defaultGeometry(3);
  const tracker = new CorridorTracker({ geometry: g, lostAfterMs: 1000 });
  const rnd = prng(5);
  const d = detectionOf(g.cameras[2]!, { z: 2, x: 0, template: randomTemplate(rnd), liveness: 0.9 }, rnd)!;
  tracker.observe({ camera: 'cam3', at: 100, detections: [d] });
  assert.is(tracker.size, 1);
  tracker.tick(1050);
  assert.is(tracker.size, 1);
  tracker.tick(1101);
  assert.is(tracker.size, 0);
  assert.throws(() => tracker.observe({ camera: 'cam9', at: 2000, detections: [] }), (e: unknown) => e instanceof TrackerError && e.code === 'CAMERA_UNKNOWN');
  assert.throws(() => tracker.observe({ camera: 'cam1', at: 50, detections: [] }), (e: unknown) => e instanceof TrackerError && e.code === 'FRAME_OUT_OF_ORDER');
});

test('property: walkers at 0.8–1.6 m/s, at least 0.8 m apart, 3–5 cameras: one track each, no swaps', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 5 }),
      fc.array(fc.record({ speed: fc.double({ min: 0.8, max: 1.6, noNaN: true }), gapS: fc.double({ min: 0, max: 2, noNaN: true }), x: fc.double({ min: -0.35, max: 0.35, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
      fc.integer(),
      (cameras, walkers, seed) => {
        const rnd = prng(seed);
        let enterAt = 0;
        const people: Person[] = walkers.map((w, i) => {
          // The next traveller keeps 0.8 m behind the previous one all the way (entering, and at the end if faster).
          if (i > 0) {
            const prev = walkers[i - 1]!;
            enterAt += Math.max(w.gapS * 1000, 800 / prev.speed, (6200 / prev.speed) - 5400 / w.speed);
          }
          return { name: `p${i}`, walk: { enterAt, speed: w.speed, x: w.x }, template: randomTemplate(rnd) };
        });
        const { owners, framesOf } = play(people, cameras, 10, seed, enterAt + 7500);
        for (const [id, who] of owners) assert.is(who.size, 1, `track ${id} took faces of ${[...who]}`);
        const seen = people.filter((p) => (framesOf.get(p.name) ?? 0) > 0).length;
        assert.is(owners.size, seen, `${owners.size} tracks for ${seen} travellers`);
      },
    ),
    propertyRun('corridor tracker: one track per traveller', { numRuns: 40 }),
  );
});

test.run();
