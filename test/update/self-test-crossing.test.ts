import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { faceSection } from '../../config/sections/face.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { selfTestCrossing } from '../../kiosk/update/self-test-crossing.ts';

/**
 * The self-test crossing a new release runs before it is declared healthy (issue 18 item 2):
 * the pedestrian statechart and binding on the door twin, with the real face engine and
 * models on fixture photographs. Passes with the shipped calibration; a release whose
 * calibration lets anyone match (threshold -1) fails it, because the impostor is cleared.
 */
const engines: FaceEngine[] = [];
test.after(async () => {
  for (const e of engines) await e.close();
});

test('the shipped engine: genuine traveller CLEARED, impostor REJECTED_FACE, doors open only for the genuine one', async () => {
  const engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  engines.push(engine);
  const r = await selfTestCrossing(engine);
  assert.ok(r.ok, r.detail);
  assert.is(r.outcomes.genuine, 'CLEARED/OK');
  assert.is(r.outcomes.impostor, 'REJECTED_FACE/NO_MATCH');
  console.log(`self-test crossing: ${r.ms} ms wall`);
});

test('a release whose calibration matches anyone fails the self-test: the impostor is cleared', async () => {
  const face = faceSection.parse({});
  const op = face.operatingPoint;
  const loose = { ...face, operatingPoints: { ...face.operatingPoints, [op]: { ...face.operatingPoints[op]!, threshold: -1 } } };
  const engine = await createFaceEngine(loose, { workers: 1 });
  engines.push(engine);
  const r = await selfTestCrossing(engine);
  assert.not.ok(r.ok);
  assert.is(r.outcomes.genuine, 'CLEARED/OK');
  assert.is(r.outcomes.impostor, 'CLEARED/OK');
  assert.match(r.detail ?? '', /exit door opened|expected CLEARED/);
});

test('missing self-test photographs fail the self-test with a reason, not a throw', async () => {
  const engine = engines[0]!;
  const r = await selfTestCrossing(engine, { facesDir: '/nonexistent-egate-faces' });
  assert.not.ok(r.ok);
  assert.match(r.detail ?? '', /self-test crossing failed/);
});

test.run();
