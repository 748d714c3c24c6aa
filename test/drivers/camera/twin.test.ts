import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cameraSection } from '../../../config/sections/camera.ts';
import { SimulatedCamera } from '../../../drivers/camera/twin.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { errorCode } from '../../../kiosk/errors.ts';
import { silentLogger } from '../../../kiosk/log.ts';

function setup() {
  const clock = new SimulatedClock();
  const config = cameraSection.parse({ width: 160, height: 120, fps: 10 });
  const cam = new SimulatedCamera(config, { clock, log: silentLogger() });
  return { clock, cam };
}

async function frameAfter(clock: SimulatedClock, cam: SimulatedCamera) {
  const p = cam.nextFrame();
  clock.advance(100);
  return p;
}

test('emits frames at the configured rate on the clock', async () => {
  const { clock, cam } = setup();
  let n = 0;
  cam.on('frame', () => n++);
  await cam.start();
  clock.advance(1000);
  assert.is(n, 10);
  await cam.stop();
});

test('an empty scene is a uniform frame; a shown image is cover-scaled to the configured size', async () => {
  const { clock, cam } = setup();
  await cam.start();
  const empty = await frameAfter(clock, cam);
  assert.ok(empty.data.every((v) => v === empty.data[0]));
  // 400x100, left half red, right half blue: cover-scaling to 4:3 keeps the middle, both colours.
  const img = await sharp({ create: { width: 400, height: 100, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .composite([{ input: { create: { width: 200, height: 100, channels: 3, background: { r: 0, g: 0, b: 255 } } }, left: 200, top: 0 }])
    .png()
    .toBuffer();
  await cam.show(img);
  const f = await frameAfter(clock, cam);
  assert.is(f.data.length, 160 * 120 * 3);
  const px = (x: number, y: number) => [...f.data.subarray((y * 160 + x) * 3, (y * 160 + x) * 3 + 3)];
  assert.ok((px(10, 60)[0] ?? 0) > 200 && (px(10, 60)[2] ?? 255) < 50, 'left is red');
  assert.ok((px(150, 60)[2] ?? 0) > 200 && (px(150, 60)[0] ?? 255) < 50, 'right is blue');
  await cam.show(null);
  const again = await frameAfter(clock, cam);
  assert.equal(again.data, empty.data);
  await cam.stop();
});

test('a raw frame of another size is rescaled; one of the right size is used as is', async () => {
  const { clock, cam } = setup();
  await cam.start();
  const small = { width: 16, height: 12, channels: 3 as const, data: new Uint8Array(16 * 12 * 3).fill(33) };
  await cam.show(small);
  const f = await frameAfter(clock, cam);
  assert.ok(f.data.every((v) => v === 33));
  const exact = { width: 160, height: 120, channels: 3 as const, data: new Uint8Array(160 * 120 * 3).map((_, i) => i & 0xff) };
  await cam.show(exact);
  const g = await frameAfter(clock, cam);
  assert.equal(g.data, exact.data);
  await cam.stop();
});

test('undecodable bytes and inconsistent raw frames reject with IMAGE_INVALID; the old scene stays', async () => {
  const { clock, cam } = setup();
  await cam.start();
  const before = await frameAfter(clock, cam);
  let err: unknown;
  await cam.show(new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2, 3])).catch((e) => (err = e));
  assert.is(errorCode(err), 'IMAGE_INVALID');
  err = undefined;
  await cam.show({ width: 10, height: 10, channels: 3, data: new Uint8Array(7) }).catch((e) => (err = e));
  assert.is(errorCode(err), 'IMAGE_INVALID');
  const after = await frameAfter(clock, cam);
  assert.equal(after.data, before.data);
  await cam.stop();
});

test('a consumer writing into its frame does not change the next frame', async () => {
  const { clock, cam } = setup();
  await cam.start();
  const a = await frameAfter(clock, cam);
  a.data.fill(0);
  const b = await frameAfter(clock, cam);
  assert.ok(b.data.every((v) => v === 0x80));
  await cam.stop();
});

test.run();
