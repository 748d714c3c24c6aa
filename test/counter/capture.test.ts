import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cameraSection } from '../../config/sections/camera.ts';
import { faceSection } from '../../config/sections/face.ts';
import { portraitSection } from '../../config/sections/portrait.ts';
import { SimulatedCamera } from '../../drivers/camera/twin.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { captureBest } from '../../kiosk/counter/capture.ts';
import { silentLogger } from '../../kiosk/log.ts';

const FACES = new URL('../../fixtures/faces/', import.meta.url).pathname;
const photo = (f: string): Uint8Array => new Uint8Array(readFileSync(join(FACES, f)));
const t = suite<{ engine: FaceEngine; camera: SimulatedCamera }>('counter capture: best frame from the camera twin, 1:1 with the chip reference, compliance of the kept frame');

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(faceSection.parse({}), { workers: 1 });
  ctx.camera = new SimulatedCamera(cameraSection.parse({ driver: 'simulated', width: 640, height: 480, fps: 10 }), { clock: new SystemClock(), log: silentLogger() });
  await ctx.camera.start();
});
t.after(async (ctx) => {
  await ctx.camera.stop();
  await ctx.engine.close();
});

async function capture(ctx: { engine: FaceEngine; camera: SimulatedCamera }, live: string, ref: string) {
  await ctx.camera.show(photo(live));
  const reference = { template: (await ctx.engine.extractReference(photo(ref))).template, source: 'chip' as const };
  const guided: string[] = [];
  const r = await captureBest({ camera: ctx.camera, engine: ctx.engine, portrait: portraitSection.parse({}), framesPerCapture: 3, frameTimeoutMs: 5000 }, reference, (i) => guided.push(i));
  return { r, guided };
}

t('same person: a JPEG portrait, a score above the threshold, a quality score; another person: below it', async (ctx) => {
  const same = await capture(ctx, 'person01-1.jpg', 'person01-2.jpg');
  assert.ok(same.r.portrait && same.r.portrait[0] === 0xff && same.r.portrait[1] === 0xd8, 'a JPEG');
  assert.ok(same.r.score !== null && same.r.score >= same.r.threshold, `score ${same.r.score} vs ${same.r.threshold}`);
  assert.ok(same.r.quality >= 0 && same.r.quality <= 100);
  assert.ok(same.r.frames >= 1 && same.r.frames <= 3);
  const other = await capture(ctx, 'person02-42.jpg', 'person01-2.jpg');
  assert.ok(other.r.score !== null && other.r.score < other.r.threshold, `score ${other.r.score} vs ${other.r.threshold}`);
});

t('nobody in front of the camera: no portrait, the visitor is told to stand in front of it', async (ctx) => {
  await ctx.camera.show(null);
  const reference = { template: (await ctx.engine.extractReference(photo('person01-2.jpg'))).template, source: 'chip' as const };
  const guided: string[] = [];
  const r = await captureBest({ camera: ctx.camera, engine: ctx.engine, portrait: portraitSection.parse({}), framesPerCapture: 2, frameTimeoutMs: 5000 }, reference, (i) => guided.push(i));
  assert.is(r.portrait, null);
  assert.is(r.decision, 'no_face');
  assert.ok(guided.includes('no_face'));
});

t.run();
