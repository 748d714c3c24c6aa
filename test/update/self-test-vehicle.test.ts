import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { SELF_TEST_FACES, selfTestCrossing } from '../../kiosk/update/self-test-crossing.ts';
import { VehicleSelfTestRig } from '../../kiosk/update/self-test-vehicle.ts';
import { ROOT } from './update-world.ts';

/**
 * A vehicle lane's update health check (issue 18 item 2): the self-test crossing in the
 * vehicle layout — the release's vehicle statechart and binding on the barrier twin (arm,
 * approach/barrier/exit loops, simulated cars), the real face engine on fixture photographs.
 * A genuine driver is CLEARED and drives through, an impostor is REJECTED_FACE and reverses;
 * the arm may rise only for the cleared car.
 */
const FACES = join(ROOT, 'fixtures', 'faces');
const engines: FaceEngine[] = [];
test.after(async () => {
  for (const e of engines) await e.close();
});

test('vehicle layout, shipped engine: genuine driver CLEARED, impostor REJECTED_FACE, arm up only for the cleared car', async () => {
  const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  engines.push(engine);
  const r = await selfTestCrossing(engine, { layout: 'vehicle' });
  assert.ok(r.ok, r.detail);
  assert.is(r.outcomes.genuine, 'CLEARED/OK');
  assert.is(r.outcomes.impostor, 'REJECTED_FACE/NO_MATCH');
  console.log(`vehicle self-test crossing: ${r.ms} ms wall`);
});

test('vehicle layout: a release whose calibration matches anyone fails (the impostor is cleared, the arm rises for it)', async () => {
  const face = faceSection.parse({});
  const op = face.operatingPoint;
  const loose = { ...face, operatingPoints: { ...face.operatingPoints, [op]: { ...face.operatingPoints[op]!, threshold: -1 } } };
  const engine = await createFaceEngine(loose, { workers: 1 });
  engines.push(engine);
  const r = await selfTestCrossing(engine, { layout: 'vehicle' });
  assert.not.ok(r.ok);
  assert.is(r.outcomes.impostor, 'CLEARED/OK');
  assert.match(r.detail ?? '', /^vehicle layout: .*expected CLEARED/);
});

test('vehicle rig: an arm that rises during a refused crossing is caught', async () => {
  const engine = engines[0]!;
  const rig = new VehicleSelfTestRig(engine);
  try {
    const ref = await engine.extractReference(readFileSync(join(FACES, SELF_TEST_FACES.reference)));
    await rig.start({ template: ref.template, source: 'enrolment' });
    // A faulty output: barrier_raise set on the twin while the impostor is at the window.
    rig.clock.setTimeout(() => rig.plant.writeCoil(0, true), 300);
    const outcome = await rig.cross(join(FACES, SELF_TEST_FACES.impostor), 60_000);
    assert.is(outcome, 'REJECTED_FACE/NO_MATCH');
    assert.equal(rig.armRoseIn, ['REJECTED_FACE']);
    assert.not.ok(rig.doorsNeverOpenedWrongly());
  } finally {
    await rig.stop();
  }
});

test.run();
