import { z } from 'zod';

export const cameraSection = z
  .object({
    /** `ffmpeg`: frames from an ffmpeg child process. `simulated`: frames from images fed by the simulator. */
    driver: z.enum(['ffmpeg', 'simulated']).default('simulated'),
    ffmpegPath: z.string().default('ffmpeg'),
    /** ffmpeg input arguments, e.g. ["-f","v4l2","-i","/dev/video0"] or ["-rtsp_transport","tcp","-i","rtsp://…"]. */
    input: z.array(z.string()).default([]),
    width: z.number().int().min(64).max(4096).default(1280),
    height: z.number().int().min(64).max(4096).default(720),
    fps: z.number().positive().max(60).default(15),
    stallMs: z.number().int().positive().default(2000),
    restartBackoffMs: z.object({ min: z.number().int().positive().default(250), max: z.number().int().positive().default(10000) }).prefault({}),
  })
  .prefault({});

export type CameraConfig = z.infer<typeof cameraSection>;
