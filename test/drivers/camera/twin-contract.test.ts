import { SimulatedClock } from '../../../kiosk/clock.ts';
import { silentLogger } from '../../../kiosk/log.ts';
import { cameraSection } from '../../../config/sections/camera.ts';
import { SimulatedCamera } from '../../../drivers/camera/twin.ts';
import { cameraContract } from './contract.ts';

cameraContract('simulated twin', [], async () => {
  const clock = new SimulatedClock();
  const config = cameraSection.parse({ driver: 'simulated', width: 320, height: 240, fps: 15, stallMs: 2000 });
  const camera = new SimulatedCamera(config, { clock, log: silentLogger() });
  const frameMs = 1000 / config.fps;
  return {
    camera,
    clock,
    width: config.width,
    height: config.height,
    stallMs: config.stallMs,
    async pump() {
      clock.advance(frameMs);
      await new Promise((r) => setImmediate(r));
    },
    async freeze() {
      camera.stall();
    },
    async heal() {
      camera.resume();
    },
    close: () => camera.stop(),
  };
});
