import type { CameraConfig } from '../../config/sections/camera.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { FfmpegCamera } from './ffmpeg-camera.ts';
import type { Camera } from './interface.ts';
import { SimulatedCamera } from './twin.ts';

export type { Camera, CameraEvents, Frame, RawFrame } from './interface.ts';
export { FfmpegCamera, ffmpegArgs } from './ffmpeg-camera.ts';
export { SimulatedCamera } from './twin.ts';

/**
 * The configured camera: the ffmpeg driver or the simulated twin. Constructing starts
 * nothing; call start(). Callers that need the twin's test controls narrow with
 * `instanceof SimulatedCamera`.
 */
export function createCamera(config: CameraConfig, deps: { clock: Clock; log: Logger }): Camera {
  const log = deps.log.child({ part: 'camera' });
  return config.driver === 'ffmpeg' ? new FfmpegCamera(config, { clock: deps.clock, log }) : new SimulatedCamera(config, { clock: deps.clock, log });
}
