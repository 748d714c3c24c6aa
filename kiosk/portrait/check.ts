import sharp from 'sharp';
import type { PortraitConfig, PortraitRuleId } from '../../config/sections/portrait.ts';
import { decodeImage, type RgbImage } from '../biometrics/decode.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import { measurePortrait, type RawMeasures } from './measures.ts';
import type { Point } from './regions.ts';
import { RULES, type Wording } from './rules.ts';

/** Pixel measures run on the photo shrunk so the eyes are at most this far apart (OFIQ measures on an aligned face). */
export const MEASURE_IED_PX = 64;

export interface RuleResult {
  rule: PortraitRuleId;
  /** Raw measure (units in RawMeasures); null when the rule could not be assessed (no face). */
  raw: number | null;
  /** 0–100, higher is better. */
  score: number;
  limit: number;
  pass: boolean;
  /** What the applicant reads, only when the rule fails. */
  failing?: Wording;
}

export interface PortraitResult {
  compliant: boolean;
  rules: RuleResult[];
  /** Failing rules in the order an applicant should fix them, with their wording. */
  failing: { rule: PortraitRuleId; wording: Wording }[];
  measures: RawMeasures | null;
  /**
   * The face template of the photo, for the 1:1 comparison with the applicant. Biometric data:
   * never journalled, logged or sent anywhere (journalView leaves it out).
   */
  template: Float32Array | null;
  timings: { decode: number; face: number; measure: number; total: number };
}

type Locator = Pick<FaceEngine, 'locateFace'>;

async function resizeRaw(img: RgbImage, factor: number): Promise<RgbImage> {
  const width = Math.max(16, Math.round(img.width * factor));
  const height = Math.max(16, Math.round(img.height * factor));
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * Checks one portrait photo (encoded bytes, e.g. a scan) against every rule. Undecodable
 * input rejects with FaceInputError (code IMAGE_*); a photo without a face is a result in
 * which `oneFace` fails and every other rule is reported unassessed (score 0, raw null).
 */
export async function checkPortrait(photo: Uint8Array, engine: Locator, config: PortraitConfig): Promise<PortraitResult> {
  const t0 = performance.now();
  const decoded = await decodeImage(photo);
  // Pixels of the photo as delivered per decoded pixel (decodeImage shrinks past 2048 px).
  let scanScale = decoded.scale ?? 1;
  let work = decoded;
  const long = Math.max(decoded.width, decoded.height);
  if (long > config.maxSide) {
    const f = config.maxSide / long;
    work = await resizeRaw(decoded, f);
    scanScale *= decoded.width / work.width;
  }
  const t1 = performance.now();
  const face = await engine.locateFace({ width: work.width, height: work.height, channels: 3, data: work.data });
  const t2 = performance.now();
  if (!face.found) {
    const rules = RULES.map((r): RuleResult => {
      const limit = config.minScores[r.id];
      return r.id === 'oneFace'
        ? { rule: r.id, raw: face.faceCount, score: 0, limit, pass: false, failing: { en: 'No face can be seen in the photo', zhHant: '相片中看不到面孔', zhHans: '相片中看不到面孔' } }
        : { rule: r.id, raw: null, score: 0, limit, pass: false };
    });
    const failing = [{ rule: 'oneFace' as const, wording: rules[0]!.failing! }];
    return { compliant: false, rules, failing, measures: null, template: null, timings: { decode: t1 - t0, face: t2 - t1, measure: 0, total: performance.now() - t0 } };
  }
  const ied = Math.hypot(...([0, 1] as const).map((k) => mid(face.landmarks, 42, 47)[k] - mid(face.landmarks, 36, 41)[k]) as [number, number]);
  const f = Math.min(1, MEASURE_IED_PX / Math.max(1, ied));
  const img = f < 1 ? await resizeRaw(work, f) : work;
  const fx = img.width / work.width;
  const fy = img.height / work.height;
  const landmarks = face.landmarks.map(([x, y]): Point => [(x + 0.5) * fx - 0.5, (y + 0.5) * fy - 0.5]);
  const measures = measurePortrait(img, { landmarks, otherFaces: face.otherFaces, sharpness: face.quality.sharpness }, scanScale / fx);
  const rules = RULES.map((r): RuleResult => {
    const score = r.score(measures);
    const limit = config.minScores[r.id];
    const pass = score >= limit;
    const raw = r.raw(measures);
    return pass ? { rule: r.id, raw, score, limit, pass } : { rule: r.id, raw, score, limit, pass, failing: r.failing(measures) };
  });
  const failing = rules.filter((r) => !r.pass).map((r) => ({ rule: r.rule, wording: r.failing! }));
  const t3 = performance.now();
  return { compliant: failing.length === 0, rules, failing, measures, template: face.template, timings: { decode: t1 - t0, face: t2 - t1, measure: t3 - t2, total: t3 - t0 } };
}

function mid(p: readonly Point[], from: number, to: number): [number, number] {
  let x = 0, y = 0;
  for (let i = from; i <= to; i++) { x += p[i]![0]; y += p[i]![1]; }
  return [x / (to - from + 1), y / (to - from + 1)];
}

/** What the journal may keep of a check: scores, limits and verdicts per rule — no image, no template, no landmarks. */
export function journalView(r: PortraitResult): { compliant: boolean; rules: Record<string, { score: number; pass: boolean }>; failing: string[] } {
  return {
    compliant: r.compliant,
    rules: Object.fromEntries(r.rules.map((x) => [x.rule, { score: x.score, pass: x.pass }])),
    failing: r.failing.map((f) => f.rule),
  };
}
