import * as assert from 'uvu/assert';
import type { SimulatedClock } from '../../../kiosk/clock.ts';
import { DeviceError, errorCode } from '../../../kiosk/errors.ts';
import type { Camera, Frame } from '../../../drivers/camera/interface.ts';
import { peerSuite } from '../../helpers/suite.ts';

/** What the contract needs from each implementation to drive it. */
export interface CameraHarness {
  camera: Camera;
  clock: SimulatedClock;
  width: number;
  height: number;
  stallMs: number;
  /** Lets the source produce more frames (twin: advance the clock one frame; real: a short real wait). */
  pump(): Promise<void>;
  /** The source stops delivering, without telling the driver (twin: stall(); real: SIGSTOP ffmpeg). */
  freeze(): Promise<void>;
  /** Whatever the camera needs to come back by itself (twin: resume(); real: Clock past the back-off). */
  heal(): Promise<void>;
  close(): Promise<void>;
}

const REAL_GUARD_MS = 8000;

/** Pumps until the promise settles, with a real-time guard so a broken driver fails instead of hanging. */
export async function settle<T>(h: CameraHarness, p: Promise<T>): Promise<T> {
  let done = false;
  const tracked = p.finally(() => (done = true));
  tracked.catch(() => {});
  const deadline = Date.now() + REAL_GUARD_MS;
  while (!done) {
    if (Date.now() > deadline) throw new Error('camera did not settle within the real-time guard');
    await h.pump();
  }
  return tracked;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** One suite, run on the ffmpeg driver and on the twin: both must behave the same. */
export function cameraContract(name: string, peers: string[], make: () => Promise<CameraHarness>): void {
  const t = peerSuite<{ h: CameraHarness }>(`camera contract: ${name}`, peers);
  t.before.each(async (ctx) => {
    ctx.h = await make();
  });
  t.after.each(async (ctx) => {
    await ctx.h.close();
  });

  t('not running: no latest frame, nextFrame rejects with CAMERA_STOPPED', async ({ h }) => {
    assert.is(h.camera.latest(), undefined);
    assert.is(errorCode(await rejection(h.camera.nextFrame())), 'CAMERA_STOPPED');
  });

  t('frames are the configured size, RGB24, with increasing seq and clock time', async ({ h }) => {
    await h.camera.start();
    await h.camera.start(); // idempotent
    const a = await settle(h, h.camera.nextFrame());
    const b = await settle(h, h.camera.nextFrame());
    for (const f of [a, b]) {
      assert.is(f.width, h.width);
      assert.is(f.height, h.height);
      assert.is(f.channels, 3);
      assert.is(f.data.length, h.width * h.height * 3);
      assert.ok(f.capturedAt <= h.clock.now());
    }
    assert.ok(b.seq > a.seq);
    assert.ok((h.camera.latest()?.seq ?? 0) >= b.seq);
  });

  t('nextFrame resolves with a frame newer than latest(), and frame events match latest()', async ({ h }) => {
    const seen: Frame[] = [];
    h.camera.on('frame', (f) => seen.push(f));
    await h.camera.start();
    await settle(h, h.camera.nextFrame());
    const before = h.camera.latest();
    assert.ok(before);
    const next = await settle(h, h.camera.nextFrame());
    assert.ok(next.seq > before.seq);
    assert.is(seen.at(-1)?.seq, h.camera.latest()?.seq);
  });

  t('latest-frame semantics: an idle consumer skips frames, nothing queues', async ({ h }) => {
    await h.camera.start();
    const first = await settle(h, h.camera.nextFrame());
    // The consumer is busy elsewhere while the source delivers at least two more frames
    // (pumped until they are there: a loaded machine's ffmpeg is slower than its -re rate).
    const guard = Date.now() + REAL_GUARD_MS;
    while ((h.camera.latest()?.seq ?? 0) <= first.seq + 1 && Date.now() < guard) await h.pump();
    const atCall = h.camera.latest();
    assert.ok(atCall && atCall.seq > first.seq + 1, 'frames kept arriving while the consumer was idle');
    const next = await settle(h, h.camera.nextFrame());
    assert.ok(next.seq > atCall.seq, 'nextFrame gives a frame after the newest, not an old queued one');
  });

  t('stall: one CAMERA_STALL fault after stallMs, waits time out, then recovery', async ({ h }) => {
    const faults: DeviceError[] = [];
    let recovered = 0;
    h.camera.on('fault', (e) => faults.push(e));
    h.camera.on('recovered', () => recovered++);
    await h.camera.start();
    await settle(h, h.camera.nextFrame());
    await h.freeze();
    h.clock.advance(h.stallMs - 1);
    assert.is(faults.length, 0, 'no fault before stallMs');
    assert.is(h.camera.faulted, false);
    const waiting = h.camera.nextFrame(h.stallMs);
    waiting.catch(() => {});
    h.clock.advance(1);
    assert.is(faults.length, 1);
    assert.instance(faults[0], DeviceError);
    assert.is(faults[0]?.code, 'CAMERA_STALL');
    assert.is(h.camera.faulted, true);
    h.clock.advance(h.stallMs);
    assert.is(errorCode(await rejection(waiting)), 'CAMERA_TIMEOUT');
    assert.is(faults.length, 1, 'one fault per outage');
    await h.heal();
    const back = await settle(h, h.camera.nextFrame());
    assert.is(back.width, h.width);
    assert.is(recovered, 1);
    assert.is(h.camera.faulted, false);
  });

  t('stop rejects pending waits with CAMERA_STOPPED, then stays silent; stop is idempotent', async ({ h }) => {
    await h.camera.start();
    await settle(h, h.camera.nextFrame());
    const pending = h.camera.nextFrame();
    pending.catch(() => {});
    let after = 0;
    await h.camera.stop();
    h.camera.on('frame', () => after++);
    assert.is(errorCode(await rejection(pending)), 'CAMERA_STOPPED');
    for (let i = 0; i < 3; i++) await h.pump();
    assert.is(after, 0);
    assert.is(h.camera.latest(), undefined);
    await h.camera.stop();
  });

  t.run();
}
