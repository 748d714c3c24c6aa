import { z } from 'zod';
import calibrated from '../operating-points.json' with { type: 'json' };

export const operatingPoint = z.strictObject({
  /** Cosine similarity at or above which two faces are the same person. */
  threshold: z.number().min(-1).max(1),
  /** What the threshold was calibrated on: data set, pair counts, measured rates. */
  calibration: z.strictObject({
    data: z.string(),
    genuinePairs: z.number().int().nonnegative(),
    impostorPairs: z.number().int().nonnegative(),
    far: z.number().min(0).max(1),
    tar: z.number().min(0).max(1),
    date: z.string(),
    note: z.string().optional(),
  }),
});

export const faceSection = z
  .strictObject({
    modelsDir: z.string().optional(),
    /** Worker threads running pre-processing and inference; onnxruntime intra-op threads each. */
    workers: z.number().int().min(1).max(8).default(1),
    /**
     * 2 by default (one worker verifies one frame at a time, latency matters): interleaved A/B on
     * the 2-core machine at load ≈ 3 gave verify p50 23.6/25.7 ms with 2 vs 28.5/29.9 ms with 1.
     * With 2 workers, 1 thread each gives more frames/s (57–59 vs 30–36).
     */
    intraOpThreads: z.number().int().min(1).max(8).default(2),
    /**
     * Named operating point used for decisions, by false match rate (fmr_1e-3, fmr_1e-4,
     * fmr_1e-5). fmr_1e-4 by default: calibrated on 1.2 M impostor pairs of lfw-calib, the
     * genuine sets still clear it at TAR ≥ 0.99 (deepface 1.0, chip-style 0.99; issue 13).
     */
    operatingPoint: z.string().default('fmr_1e-4'),
    operatingPoints: z.record(z.string(), operatingPoint).default(calibrated.operatingPoints),
    /**
     * Operating points for references that come from an e-passport chip (small, compressed
     * photos), by default the ones `scripts/bench-chip.ts --write-operating-points` calibrated
     * on chip-style portraits; each names its data and pair counts.
     */
    chipOperatingPoints: z.record(z.string(), operatingPoint).default(calibrated.chipOperatingPoints),
    /** Minimum live probability (softmax index 0) for a presentation to count as live. */
    livenessThreshold: z.number().min(0).max(1).default(0.5),
    quality: z
      .strictObject({
        minInterEyePx: z.number().nonnegative().default(40),
        maxYawDeg: z.number().positive().default(30),
        maxPitchDeg: z.number().positive().default(30),
        maxRollDeg: z.number().positive().default(25),
        /**
         * Variance of the Laplacian of the aligned 112×112 face. Measured: sharp photos 247–2162
         * (deepface, fixtures); Gaussian blur σ 3 px on a 640-px photo 17–68, σ 5 px 5–26.
         */
        minSharpness: z.number().nonnegative().default(30),
        minExposure: z.number().min(0).max(255).default(40),
        maxExposure: z.number().min(0).max(255).default(220),
        minDetectionScore: z.number().min(0).max(1).default(0.7),
        /** Eye aspect ratio (68-point landmarks) under which the eyes count as closed. */
        minEyeOpenness: z.number().min(0).max(1).default(0.12),
      })
      .prefault({}),
  })
  .prefault({})
  .refine((f) => f.operatingPoint in f.operatingPoints, {
    message: 'face.operatingPoint must name one of face.operatingPoints',
    path: ['operatingPoint'],
  })
  // A chip reference is verified at the chip point of the same name: it must exist too.
  .refine((f) => !f.chipOperatingPoints || f.operatingPoint in f.chipOperatingPoints, {
    message: 'face.operatingPoint must also name one of face.chipOperatingPoints',
    path: ['chipOperatingPoints'],
  });

export type FaceConfig = z.infer<typeof faceSection>;
export type OperatingPoint = z.infer<typeof operatingPoint>;
