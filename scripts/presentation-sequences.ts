/**
 * Presentation sequences made from still photos: what a gate camera delivers while one
 * traveller walks up to it, deterministic from a seed so anyone can rebuild the same frames.
 *
 * Per sequence of N frames (frame k of N, t = k / (N − 1)):
 * - distance (scale): the traveller approaches, the face grows from 55–70 % to 90–100 % of
 *   the photo's size on a canvas of the photo's size (fewer pixels on the face when far);
 * - motion blur: walking blurs the early frames (Gaussian σ up to 1.6 px at t = 0, falling
 *   to 0–0.4 px at the stop line);
 * - pose: head yaw drifts ±18° (rendered as a horizontal squeeze by cos yaw about the face
 *   centre: a 2-D photo has no other side of the head, so this is an affine stand-in for an
 *   out-of-plane turn) and roll ±8° (an in-plane rotation);
 * - exposure: auto-exposure settling, gain from 0.65–1.35 at t = 0 converging to 0.9–1.1,
 *   with an offset of ±12 grey levels;
 * - compression: each frame JPEG-compressed at quality 55–90 (the camera's stream encoder).
 */
import sharp from 'sharp';
import { prng } from '../core/prng.ts';

export interface FrameRecipe {
  scale: number;
  blurSigma: number;
  yawDeg: number;
  rollDeg: number;
  gain: number;
  offset: number;
  jpegQuality: number;
}


/** The N frame recipes of one sequence (see the file comment for the ranges). */
export function sequenceRecipes(seed: number, frames = 6): FrameRecipe[] {
  const r = prng(seed);
  const u = (lo: number, hi: number): number => lo + (hi - lo) * r();
  const scale0 = u(0.55, 0.7), scale1 = u(0.9, 1);
  const blur0 = u(0.8, 1.6), blur1 = u(0, 0.4);
  const gain0 = u(0.65, 1.35), gain1 = u(0.9, 1.1), offset = u(-12, 12);
  let yaw = u(-18, 18), roll = u(-8, 8);
  return Array.from({ length: frames }, (_, k) => {
    const t = frames > 1 ? k / (frames - 1) : 1;
    // Head movement is a bounded random walk, not independent per frame.
    yaw = Math.max(-18, Math.min(18, yaw + u(-6, 6)));
    roll = Math.max(-8, Math.min(8, roll + u(-2.5, 2.5)));
    return {
      scale: scale0 + (scale1 - scale0) * t,
      blurSigma: blur0 + (blur1 - blur0) * t,
      yawDeg: yaw,
      rollDeg: roll,
      gain: gain0 + (gain1 - gain0) * Math.min(1, 1.6 * t),
      offset,
      jpegQuality: Math.round(u(55, 90)),
    };
  });
}

const BACKGROUND = { r: 128, g: 128, b: 128, alpha: 1 };

/** One camera frame (JPEG bytes, the photo's size) from a photo and a recipe. */
export async function renderFrame(photo: Uint8Array, f: FrameRecipe): Promise<Buffer> {
  const upright = await sharp(photo).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width: W, height: H } = upright.info;
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  // Pose: squeeze horizontally by cos(yaw), then roll; both about the centre, back on a W×H canvas.
  const squeezedW = Math.max(8, Math.round(W * Math.cos((f.yawDeg * Math.PI) / 180)));
  const squeezed = await sharp(upright.data, raw).resize(squeezedW, H, { fit: 'fill' }).raw().toBuffer();
  // Rotation in its own pass: in one pipeline with the resize, sharp fills the corners black.
  let img = await sharp(squeezed, { raw: { width: squeezedW, height: H, channels: 3 } }).rotate(f.rollDeg, { background: BACKGROUND }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // Distance: scale the posed face, centred on a canvas of the photo's size.
  const w = Math.max(8, Math.round(img.info.width * f.scale * (W / Math.max(W, img.info.width))));
  const h = Math.max(8, Math.round(img.info.height * f.scale * (H / Math.max(H, img.info.height))));
  img = await sharp(img.data, { raw: { width: img.info.width, height: img.info.height, channels: 3 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const left = Math.floor((W - w) / 2), top = Math.floor((H - h) / 2);
  let pipeline = sharp(img.data, { raw: { width: w, height: h, channels: 3 } })
    .extend({ left: Math.max(0, left), top: Math.max(0, top), right: Math.max(0, W - w - left), bottom: Math.max(0, H - h - top), background: BACKGROUND });
  if (f.blurSigma >= 0.3) pipeline = sharp(await pipeline.raw().toBuffer(), raw).blur(f.blurSigma);
  return sharp(await pipeline.raw().toBuffer(), raw).linear(f.gain, f.offset).jpeg({ quality: f.jpegQuality }).toBuffer();
}
