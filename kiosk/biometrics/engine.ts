import type { FaceConfig } from '../../config/sections/face.ts';
import { MODELS_DIR, verifyModels } from '../../models/provision.ts';
import { decide, operatingPointFor } from './decide.ts';
import { cosine, TEMPLATE_LENGTH } from './embed.ts';
import { FaceEngineError, FaceInputError } from './errors.ts';
import { WorkerPool } from './pool.ts';
import { blocking, qualityIssues } from './quality.ts';
import type { FaceEngine, FaceLocation, FaceReference, ImageInput, RawFrame, ReferenceExtraction, VerifyResult } from './types.ts';

function checkTemplate(t: Float32Array, what: string): void {
  if (!(t instanceof Float32Array) || t.length !== TEMPLATE_LENGTH) {
    throw new FaceInputError('TEMPLATE_INVALID', `${what} must be a Float32Array of ${TEMPLATE_LENGTH} values`);
  }
}

function checkInput(image: unknown): asserts image is ImageInput {
  if (image instanceof Uint8Array) return;
  if (typeof image === 'object' && image !== null && 'data' in image && 'width' in image) return;
  throw new FaceInputError('IMAGE_UNSUPPORTED', 'input must be encoded image bytes (Uint8Array) or a raw RGB24 frame');
}

/**
 * Starts the face engine: checks every model's SHA-256 (refuses to start on a mismatch,
 * ModelError MODEL_MISSING / MODEL_CHECKSUM), then starts `workers` worker threads, each
 * with its own ONNX sessions, warmed up. All pixel work happens in the workers.
 */
export async function createFaceEngine(config: FaceConfig, options: { modelsDir?: string; workers?: number } = {}): Promise<FaceEngine> {
  const models = verifyModels(options.modelsDir ?? config.modelsDir ?? MODELS_DIR);
  const pool = await WorkerPool.start(options.workers ?? config.workers, {
    models,
    intraOpThreads: config.intraOpThreads,
    minDetectionScore: config.quality.minDetectionScore,
  });

  const timed = (t0: number, worker: Record<string, number>): Record<string, number> => {
    const total = performance.now() - t0;
    // What the worker did not account for: queueing and copying the image across threads.
    return { ...worker, handoff: Math.max(0, total - (worker.total ?? 0)), total };
  };

  return {
    async extractReference(image: ImageInput): Promise<ReferenceExtraction> {
      checkInput(image);
      const a = await pool.analyse(image, false);
      if (!a.found) throw new FaceEngineError('NO_FACE', 'no face found in the reference photo');
      const issues = qualityIssues(a.quality, a.otherFaces, a.eyeOpenness, config.quality);
      return { template: a.template, quality: a.quality, acceptable: !blocking(issues), issues };
    },

    async verify(reference: FaceReference, frame: ImageInput, opts: { operatingPoint?: string } = {}): Promise<VerifyResult> {
      const t0 = performance.now();
      checkTemplate(reference.template, 'reference.template');
      checkInput(frame);
      const op = operatingPointFor(config, reference, opts.operatingPoint);
      const a = await pool.analyse(frame, true);
      return { ...decide(a, reference, op.threshold, config), template: a.found ? a.template : null, timings: timed(t0, a.timings) };
    },

    async locateFace(frame: RawFrame): Promise<FaceLocation> {
      checkInput(frame);
      const a = await pool.analyse(frame, false);
      if (!a.found) return { found: false, faceCount: a.faceCount };
      // A raw frame is never shrunk on decoding, so landmarks are already in the frame's pixels.
      const { box, detectionScore } = a.quality;
      return { found: true, box, detectionScore, landmarks: a.landmarks, otherFaces: a.otherFaces, quality: a.quality, template: a.template };
    },

    compare(a: Float32Array, b: Float32Array): number {
      checkTemplate(a, 'template a');
      checkTemplate(b, 'template b');
      return cosine(a, b);
    },

    close: () => pool.close(),
  };
}
