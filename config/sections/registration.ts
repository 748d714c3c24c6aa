import { z } from 'zod';

/**
 * The visitor self-registration kiosk (`registration` profile, issue 14 §3). The passport
 * readers and CSCA trust material are the Express lane's (`passport`), the printer `printer`.
 */
export const registrationSection = z
  .strictObject({
    /** Live captures judged against the chip photo before FACE_NO_MATCH ("at most N attempts"). */
    maxAttempts: z.number().int().min(1).max(5).default(3),
    /** Camera frames judged per capture; a presentation attack on any one decides the capture. */
    framesPerCapture: z.number().int().min(1).max(10).default(3),
    /** Wait for one camera frame before the capture counts as "no face". */
    frameTimeoutMs: z.number().int().positive().default(3000),
    /** How long the result (done, refusal, declined) stays on the screen before the start. */
    resultMs: z.number().int().positive().default(15_000),
  })
  .prefault({});

export type RegistrationConfig = z.infer<typeof registrationSection>;
