import { z } from 'zod';
import { cameraSection } from './camera.ts';

/**
 * The walk-through e-Channel's corridor (issue 19): its length, the 3–5 cameras hung along it
 * (each a camera of its own, driver and all), when a track is decided, and which 1:N operating
 * point the gallery search uses. Read only by the walkthrough profile; every other profile
 * parses the defaults and ignores them.
 */
const corridorCamera = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'letters, digits, _ or -, at most 16'),
  /** Where the camera hangs, metres from the entry (looking back towards it). */
  z: z.number().min(0).max(25),
  /** Lateral offset from the corridor axis, metres. */
  x: z.number().min(-2).max(2).default(0),
  /** Horizontal field of view of the lens, degrees (sets the focal length in pixels). */
  hfovDeg: z.number().min(10).max(120).default(60),
  camera: cameraSection,
});

/** Four cameras from 2.5 m to 0.4 m past a 5 m corridor's door (kiosk/corridor/geometry.ts defaultGeometry). */
const DEFAULT_CAMERAS = [2.5, 3.47, 4.43, 5.4].map((zm, i) => ({ id: `cam${i + 1}`, z: zm, x: i % 2 === 0 ? 0 : 0.25, hfovDeg: 60, camera: { driver: 'simulated' as const, width: 640, height: 480, fps: 10 } }));

export const corridorSection = z
  .strictObject({
    lengthM: z.number().min(2).max(20).default(5),
    /** A traveller this close to the exit door (m) stands in front of it. */
    exitZoneM: z.number().positive().max(3).default(0.8),
    cameras: z.array(corridorCamera).min(3, 'a corridor needs 3 to 5 cameras').max(5, 'a corridor needs 3 to 5 cameras').prefault(DEFAULT_CAMERAS),
    /** Frames pooled (across cameras) before a match may be taken. */
    minFrames: z.number().int().min(1).max(50).default(4),
    /** Metres before the door where a track is decided with what it has. */
    decisionLineM: z.number().positive().default(1.6),
    livenessThreshold: z.number().min(0).max(1).default(0.5),
    /** The false positive identification rate the gallery search is calibrated for (config/identification-points.json). */
    fpir: z.enum(['fpir_1e-2', 'fpir_1e-3']).default('fpir_1e-3'),
  })
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    c.cameras.forEach((cam, i) => {
      if (ids.has(cam.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `camera id "${cam.id}" is used twice` });
      ids.add(cam.id);
      if (cam.z > c.lengthM + 1) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'z'], message: 'a corridor camera hangs at most 1 m past the exit door' });
    });
    if (c.decisionLineM >= c.lengthM) ctx.addIssue({ code: 'custom', path: ['decisionLineM'], message: 'the decision line must lie inside the corridor' });
  })
  .prefault({});

export type CorridorConfig = z.infer<typeof corridorSection>;
