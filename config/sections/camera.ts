import { z } from 'zod';

export const cameraSection = z
  .strictObject({
    /** `ffmpeg`: frames from an ffmpeg child process. `simulated`: frames from images fed by the simulator. */
    driver: z.enum(['ffmpeg', 'simulated']).default('simulated'),
    ffmpegPath: z.string().default('ffmpeg'),
    /**
     * ffmpeg input arguments, e.g. ["-f","v4l2","-i","/dev/video0"] or ["-rtsp_transport","tcp","-i","rtsp://…"].
     * Files and looped stills need "-re" first (["-re","-loop","1","-i","photo.jpg"]) or ffmpeg runs flat out;
     * live sources must not have it. The driver scales to cover width×height and crops (no stretching).
     */
    input: z.array(z.string()).default([]),
    width: z.number().int().min(64).max(4096).default(1280),
    height: z.number().int().min(64).max(4096).default(720),
    fps: z.number().positive().max(60).default(15),
    /** No frame for this long (Clock time) is a CAMERA_STALL fault; ffmpeg is killed and restarted. */
    stallMs: z.number().int().positive().default(2000),
    restartBackoffMs: z.strictObject({ min: z.number().int().positive().default(250), max: z.number().int().positive().default(10000) }).prefault({}),
  })
  .prefault({});

export type CameraConfig = z.infer<typeof cameraSection>;
