import { z } from 'zod';

const score = (d: number) => z.number().min(0).max(100).default(d);

/**
 * Portrait compliance (kiosk/portrait, issue 15 §1): the lowest score 0–100 each rule accepts.
 * Each score's mapping from its raw measure is in kiosk/portrait/mapping.ts; docs/portrait.md
 * gives the raw value every default corresponds to and how the defaults were chosen.
 */
export const portraitSection = z
  .strictObject({
    minScores: z
      .strictObject({
        /** 100 = exactly one clear face. */
        oneFace: score(100),
        /** 73 ≈ 90 px between the eye centres in the scanned photo (ICAO 9303's recommended minimum). */
        resolution: score(73),
        /** cos² mapping: 97 ≈ ±10°, 96 ≈ ±11.5°, 98 ≈ ±8.1° (ISO/IEC 19794-5: ±5° yaw/pitch, ±8° roll; the landmark estimates are noisier than that). */
        yaw: score(97),
        pitch: score(96),
        roll: score(98),
        eyesOpen: score(50),
        mouthClosed: score(94),
        /** 50 ≈ eye midpoint within ±4.4 % of the width from the middle. */
        centred: score(50),
        /** Crown, chin and both sides of the face inside the photo with some margin. */
        margins: score(50),
        /** 50 ≈ chin-to-crown 70–81 % of the photo height (ICAO 9303: 71–80 %). */
        headSize: score(50),
        backgroundUniform: score(50),
        /** 50 ≈ mean background luminance 0.55 (grey level 140). */
        backgroundLight: score(50),
        /** 50 ≈ mean face luminance 0.2 (too dark) or 0.8 (too bright). */
        exposure: score(50),
        /** 75 = 6 bits of face luminance entropy (real faces in the labelled set: 6.6–7.7 bits). */
        contrast: score(75),
        /** 50 = variance of the Laplacian 30 on the aligned face (the face engine's blur limit). */
        sharpness: score(50),
        /** 60 ≈ left/right cheek histogram intersection 0.18. */
        shadow: score(60),
        colour: score(50),
      })
      .prefault({}),
    /** Photos are measured at most this many pixels on the long side (after the scan). */
    maxSide: z.number().int().min(256).max(4096).default(1024),
  })
  .prefault({});

export type PortraitConfig = z.infer<typeof portraitSection>;
export type PortraitRuleId = keyof PortraitConfig['minScores'];
