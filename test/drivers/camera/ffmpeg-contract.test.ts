import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedClock } from '../../../kiosk/clock.ts';
import { silentLogger } from '../../../kiosk/log.ts';
import { cameraSection } from '../../../config/sections/camera.ts';
import { FfmpegCamera } from '../../../drivers/camera/ffmpeg-camera.ts';
import { cameraContract } from './contract.ts';

// Real ffmpeg, real pipe, real frames; the Clock is simulated so stall and back-off are
// exact and the suite never waits 2 s of wall time for a fault.
cameraContract('ffmpeg (lavfi testsrc 1280x720@15)', ['ffmpeg'], async () => {
  const clock = new SimulatedClock();
  const config = cameraSection.parse({
    driver: 'ffmpeg',
    input: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=15'],
    width: 1280,
    height: 720,
    fps: 15,
    stallMs: 2000,
    restartBackoffMs: { min: 250, max: 4000 },
  });
  const camera = new FfmpegCamera(config, { clock, log: silentLogger() });
  return {
    camera,
    clock,
    width: config.width,
    height: config.height,
    stallMs: config.stallMs,
    pump: () => sleep(40),
    async freeze() {
      if (camera.pid) process.kill(camera.pid, 'SIGSTOP');
      // Let the frames already in the pipe drain: done when none came for 300 ms (a loaded
      // machine may take longer than any fixed wait to read what ffmpeg wrote before it stopped).
      let seen = camera.latest()?.seq;
      for (;;) {
        await sleep(300);
        if (camera.latest()?.seq === seen) break;
        seen = camera.latest()?.seq;
      }
    },
    async heal() {
      // The stall killed ffmpeg; a restart is due after the back-off (it may already have run).
      if (camera.pid === undefined) clock.advance(config.restartBackoffMs.min);
    },
    close: () => camera.stop(),
  };
});
