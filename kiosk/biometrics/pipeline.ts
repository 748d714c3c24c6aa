import * as ort from 'onnxruntime-node';
import { alignFace } from './align.ts';
import { toRgbImage, type RgbImage } from './decode.ts';
import { decodeDetections, detectCanvas, DETECT_H, DETECT_W, rankFaces, type Detection } from './detect.ts';
import { l2normalise } from './embed.ts';
import { decodeLandmarks, eyeOpenness, fivePoints, landmarkTensor, LANDMARK_SIZE, plausibleFace, type Point } from './landmarks.ts';
import { livenessTensor, liveProbability, LIVENESS_SIZE } from './liveness.ts';
import { headPose, sharpnessExposure } from './quality.ts';
import type { FaceQuality, ImageInput } from './types.ts';

export interface PipelineOptions {
  /** Model paths by manifest name: detect, landmark, feature, liveness. */
  models: Record<string, string>;
  intraOpThreads: number;
  /** Faces under this detection score are not counted as faces in view. */
  minDetectionScore: number;
}

/** What one image yields; the main thread turns it into a decision. */
export type Analysis =
  | { found: false; faceCount: number; timings: Record<string, number> }
  | {
      found: true;
      template: Float32Array;
      liveness: number | null;
      quality: FaceQuality;
      eyeOpenness: number;
      otherFaces: number;
      landmarks: Point[];
      timings: Record<string, number>;
    };

/** A face smaller than this fraction of the chosen face's size is background, not a second traveller. */
const OTHER_FACE_MIN_SIDE = 1 / 3;

/**
 * The face pipeline on one thread: decode → detect → choose → landmarks → align → embed,
 * liveness and quality. Runs inside a worker; holds one ONNX session per network.
 */
export class FacePipeline {
  private constructor(
    private readonly sessions: Record<'detect' | 'landmark' | 'feature' | 'liveness', ort.InferenceSession>,
    private readonly opts: PipelineOptions,
  ) {}

  static async load(opts: PipelineOptions): Promise<FacePipeline> {
    const so: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // Four sessions each own a thread pool; spinning pools steal the cores from the next
      // session's run (measured: feature net 27 ms instead of 8 ms in the pipeline).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    const load = async (name: string): Promise<ort.InferenceSession> => {
      const p = opts.models[name];
      if (!p) throw new Error(`model ${name} missing from the manifest`);
      return ort.InferenceSession.create(p, so);
    };
    // allSettled, not all: a failed model must not leave the others still loading in native
    // code when the worker reports the failure and is terminated (that aborts the process).
    const loaded = await Promise.allSettled([load('detect'), load('landmark'), load('feature'), load('liveness')]);
    const failed = loaded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(loaded.map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)));
      throw failed.reason;
    }
    const [detect, landmark, feature, liveness] = loaded.map((r) => (r as PromiseFulfilledResult<ort.InferenceSession>).value) as [ort.InferenceSession, ort.InferenceSession, ort.InferenceSession, ort.InferenceSession];
    const pipeline = new FacePipeline({ detect, landmark, feature, liveness }, opts);
    await pipeline.warmUp();
    return pipeline;
  }

  /**
   * First runs allocate and optimise (ONNX sessions, and V8 compiling the pixel loops: the first
   * alignment took 50 ms instead of 3); do them at start-up, not on the first traveller.
   */
  private async warmUp(): Promise<void> {
    const img: RgbImage = { width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).fill(128) };
    const p5: Point[] = [[280, 200], [360, 200], [320, 245], [290, 285], [350, 285]];
    for (let i = 0; i < 3; i++) {
      detectCanvas(img);
      landmarkTensor(img, [240, 140, 400, 340]);
      sharpnessExposure(alignFace(img, p5));
      livenessTensor(img, [240, 140, 400, 340]);
    }
    await this.run('detect', detectCanvas(img).tensor, [1, 3, DETECT_H, DETECT_W]);
    await this.run('landmark', new Float32Array(LANDMARK_SIZE * LANDMARK_SIZE), [1, 1, LANDMARK_SIZE, LANDMARK_SIZE]);
    await this.run('feature', new Float32Array(3 * 112 * 112), [1, 3, 112, 112]);
    await this.run('liveness', new Float32Array(3 * LIVENESS_SIZE * LIVENESS_SIZE), [1, 3, LIVENESS_SIZE, LIVENESS_SIZE]);
  }

  private async run(name: keyof FacePipeline['sessions'], data: Float32Array, dims: number[], output?: string): Promise<Record<string, Float32Array>> {
    const s = this.sessions[name];
    const res = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', data, dims) });
    const out: Record<string, Float32Array> = {};
    for (const k of output ? [output] : s.outputNames) out[k] = res[k]!.data as Float32Array;
    return out;
  }

  async analyse(input: ImageInput, wantLiveness: boolean): Promise<Analysis> {
    const timings: Record<string, number> = {};
    let t = performance.now();
    const lap = (stage: string): void => {
      const now = performance.now();
      timings[stage] = (timings[stage] ?? 0) + (now - t);
      t = now;
    };
    const start = t;
    const img = await toRgbImage(input);
    lap('decode');

    const canvas = detectCanvas(img);
    const det = await this.run('detect', canvas.tensor, [1, 3, DETECT_H, DETECT_W]);
    const faces = rankFaces(decodeDetections(det.scores!, det.boxes!, canvas, img), img.width, img.height);
    lap('detect');

    let chosen: Detection | undefined;
    let p68: Point[] = [];
    for (const face of faces) {
      const lm = landmarkTensor(img, face.box);
      const out = await this.run('landmark', lm.tensor, [1, 1, LANDMARK_SIZE, LANDMARK_SIZE]);
      const pts = decodeLandmarks(Object.values(out)[0]!, lm.rect);
      if (plausibleFace(fivePoints(pts), face.box)) {
        chosen = face;
        p68 = pts;
        break;
      }
    }
    lap('landmarks');
    const clear = faces.filter((f) => f.score >= this.opts.minDetectionScore);
    if (!chosen) {
      timings.total = performance.now() - start;
      return { found: false, faceCount: clear.length, timings };
    }

    const p5 = fivePoints(p68);
    const aligned = alignFace(img, p5);
    const live = wantLiveness ? livenessTensor(img, chosen.box) : null;
    lap('align');
    const emb = await this.run('feature', aligned, [1, 3, 112, 112]);
    const template = l2normalise(Object.values(emb)[0]!);
    lap('embed');
    let liveness: number | null = null;
    if (live) {
      const out = await this.run('liveness', live, [1, 3, LIVENESS_SIZE, LIVENESS_SIZE]);
      liveness = liveProbability(Object.values(out)[0]!);
      lap('liveness');
    }

    const scale = img.scale ?? 1;
    const side = (f: Detection): number => Math.sqrt((f.box[2] - f.box[0]) * (f.box[3] - f.box[1]));
    const otherFaces = clear.filter((f) => f !== chosen && side(f) >= OTHER_FACE_MIN_SIDE * side(chosen)).length;
    const { sharpness, exposure } = sharpnessExposure(aligned);
    const quality: FaceQuality = {
      // Reported in the caller's pixels, not those of a photo shrunk on decoding.
      box: chosen.box.map((v) => Math.round(v * scale * 10) / 10) as FaceQuality['box'],
      detectionScore: chosen.score,
      interEyePx: Math.hypot(p5[1]![0] - p5[0]![0], p5[1]![1] - p5[0]![1]) * scale,
      ...headPose(p68),
      sharpness,
      exposure,
      faceCount: Math.max(1, clear.length + (clear.includes(chosen) ? 0 : 1)),
    };
    lap('quality');
    timings.total = performance.now() - start;
    return { found: true, template, liveness, quality, eyeOpenness: eyeOpenness(p68), otherFaces, landmarks: p68, timings };
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }
}
