import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import * as assert from 'uvu/assert';
import { cameraSection } from '../../../config/sections/camera.ts';
import { FfmpegCamera } from '../../../drivers/camera/ffmpeg-camera.ts';
import { SimulatedCamera } from '../../../drivers/camera/twin.ts';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import type { DeviceError } from '../../../kiosk/errors.ts';
import { silentLogger } from '../../../kiosk/log.ts';
import { peerSuite } from '../../helpers/suite.ts';

const t = peerSuite<{ dir: string; cams: FfmpegCamera[] }>('ffmpeg camera', ['ffmpeg']);

t.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-cam-'));
  ctx.cams = [];
});
t.after.each(async (ctx) => {
  for (const c of ctx.cams) await c.stop();
  rmSync(ctx.dir, { recursive: true, force: true });
});

async function until(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A photo-like test card: smooth gradients plus hard-edged blocks, 4:3, so cover-cropping shows. */
async function writeStill(dir: string): Promise<{ path: string; bytes: Buffer }> {
  const w = 800;
  const h = 600;
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const block = ((x >> 6) + (y >> 6)) % 2 === 0;
      px[i] = (x * 255) / w;
      px[i + 1] = (y * 255) / h;
      px[i + 2] = block ? 200 : 40;
    }
  }
  const bytes = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
  const path = join(dir, 'still.jpg');
  writeFileSync(path, bytes);
  return { path, bytes };
}

function make(ctx: { cams: FfmpegCamera[] }, over: Record<string, unknown>) {
  const clock = new SimulatedClock();
  const config = cameraSection.parse({ driver: 'ffmpeg', width: 320, height: 240, fps: 15, ...over });
  const cam = new FfmpegCamera(config, { clock, log: silentLogger() });
  ctx.cams.push(cam);
  return { clock, config, cam };
}

t('a looped still image gives frames that match the twin showing the same image', async (ctx) => {
  const still = await writeStill(ctx.dir);
  const { cam, config } = make(ctx, { input: ['-re', '-loop', '1', '-framerate', '15', '-i', still.path], width: 640, height: 360 });
  await cam.start();
  let got: Uint8Array | undefined;
  const p = cam.nextFrame().then((f) => (got = f.data));
  await until(() => got !== undefined, 'a frame');
  await p;
  const twinClock = new SimulatedClock();
  const twin = new SimulatedCamera(config, { clock: twinClock, log: silentLogger() });
  await twin.show(still.bytes);
  await twin.start();
  const tp = twin.nextFrame();
  twinClock.advance(1000 / config.fps);
  const ref = (await tp).data;
  await twin.stop();
  assert.is(got?.length, 640 * 360 * 3);
  let sum = 0;
  for (let i = 0; i < ref.length; i++) sum += Math.abs((got?.[i] ?? 0) - (ref[i] ?? 0));
  const mae = sum / ref.length;
  // Different scalers and YUV round trips differ by a few levels; a stretch instead of a
  // crop, or a channel swap, differs by tens.
  if (process.env.EGATE_PRINT_FIGURES) console.log(`ffmpeg vs twin MAE ${mae.toFixed(3)}`);
  assert.ok(mae < 8, `mean absolute difference ${mae.toFixed(2)} between ffmpeg and twin frames`);
});

t('an input that ends: CAMERA_EXITED fault, restart after the back-off, recovered', async (ctx) => {
  const { cam, clock } = make(ctx, { input: ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15:duration=0.4'], restartBackoffMs: { min: 250, max: 1000 } });
  const faults: DeviceError[] = [];
  let recovered = 0;
  cam.on('fault', (e) => faults.push(e));
  cam.on('recovered', () => recovered++);
  await cam.start();
  await until(() => faults.length === 1, 'the exit fault');
  assert.is(faults[0]?.code, 'CAMERA_EXITED');
  assert.ok(cam.latest(), 'frames were delivered before the end');
  assert.is(cam.launches, 1);
  clock.advance(249);
  assert.is(cam.launches, 1, 'no restart before the back-off');
  clock.advance(1);
  assert.is(cam.launches, 2);
  await until(() => recovered === 1, 'recovery');
  // The relaunched input ends again after its frames: that is a new outage, a new fault.
  await until(() => faults.length === 2, 'the second exit');
});

t('a source that keeps failing: back-off doubles up to its max, one fault for the outage', async (ctx) => {
  const { cam, clock } = make(ctx, { input: ['-i', join(ctx.dir, 'no-such-file.mp4')], restartBackoffMs: { min: 250, max: 600 } });
  const faults: DeviceError[] = [];
  cam.on('fault', (e) => faults.push(e));
  await cam.start();
  await until(() => cam.pid === undefined, 'first exit');
  const waits = [250, 500, 600, 600];
  for (const [i, w] of waits.entries()) {
    clock.advance(w - 1);
    assert.is(cam.launches, i + 1, `no launch before ${w} ms`);
    clock.advance(1);
    assert.is(cam.launches, i + 2);
    await until(() => cam.pid === undefined, `exit ${i + 2}`);
  }
  assert.is(faults.length, 1);
  assert.is(faults[0]?.code, 'CAMERA_EXITED');
  assert.not.match(faults[0]?.message ?? '', /undefined/);
});

t('a missing ffmpeg binary is a CAMERA_SPAWN fault, never a crash', async (ctx) => {
  const { cam } = make(ctx, { ffmpegPath: join(ctx.dir, 'no-ffmpeg'), input: ['-f', 'lavfi', '-i', 'testsrc'] });
  const faults: DeviceError[] = [];
  cam.on('fault', (e) => faults.push(e));
  await cam.start();
  await until(() => faults.length === 1, 'the spawn fault');
  assert.is(faults[0]?.code, 'CAMERA_SPAWN');
});

t('stop leaves no ffmpeg behind, even one that was stopped with SIGSTOP', async (ctx) => {
  for (const freeze of [false, true]) {
    const { cam } = make(ctx, { input: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15'] });
    await cam.start();
    await until(() => cam.latest() !== undefined, 'a frame');
    const pid = cam.pid;
    assert.ok(pid);
    if (freeze) process.kill(pid, 'SIGSTOP');
    await cam.stop();
    // Gone from /proc means exited AND reaped: no zombie left.
    await until(() => !existsSync(`/proc/${pid}`), `pid ${pid} to disappear`, 3000);
    assert.is(cam.pid, undefined);
  }
});

t('RTSP credentials in ffmpeg errors never reach the fault message', async (ctx) => {
  const { cam } = make(ctx, { input: ['-rtsp_transport', 'tcp', '-timeout', '500000', '-i', 'rtsp://admin:s3cret@127.0.0.1:1/stream'] });
  const faults: DeviceError[] = [];
  cam.on('fault', (e) => faults.push(e));
  await cam.start();
  await until(() => faults.length === 1, 'the fault');
  assert.not.match(faults[0]?.message ?? '', /s3cret/);
});

t.run();
