/**
 * Raw measure → quality score 0–100 (higher is better), one function per measure.
 *
 * Where OFIQ (the ISO/IEC 29794-5 reference implementation, BSI-OFIQ/OFIQ-Project) publishes a
 * mapping, the same formula and default parameters are used here and the comment says so.
 * The raw values are computed by egate's own 68-point landmarks and pixel code, not by OFIQ's
 * networks (ADNet landmarks, BiSeNet face parsing, its sharpness forest), so the scores are
 * NOT OFIQ-conformant: they follow OFIQ's mappings on egate's own measurements.
 */

/** OFIQ's logistic: 1 / (1 + e^((x0 − x) / w)). */
export function sigmoid(x: number, x0: number, w: number): number {
  return 1 / (1 + Math.exp((x0 - x) / w));
}

/** OFIQ's scalar form h·(a + s·sigmoid(x, x0, w)), clamped to 0..100 and rounded. */
export function ofiqSigmoid(x: number, p: { h: number; a?: number; s?: number; x0: number; w: number }): number {
  if (!Number.isFinite(x)) return 0;
  return clampScore(p.h * ((p.a ?? 0) + (p.s ?? 1) * sigmoid(x, p.x0, p.w)));
}

export function clampScore(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.round(Math.min(100, Math.max(0, v)));
}

/** OFIQ HeadPose (yaw, pitch, roll): round(100·cos²(angle)). */
export const poseScore = (deg: number): number => clampScore(100 * Math.cos((deg * Math.PI) / 180) ** 2);

/** OFIQ InterEyeDistance: sigmoid h 100, x0 70 px, w 20 (pixels of the photo as scanned). */
export const interEyeScore = (px: number): number => ofiqSigmoid(px, { h: 100, x0: 70, w: 20 });

/** OFIQ EyesOpen: smaller eyelid opening / (eye midpoint to chin); sigmoid h 100, x0 0.02, w 0.01. */
export const eyesOpenScore = (r: number): number => ofiqSigmoid(r, { h: 100, x0: 0.02, w: 0.01 });

/** OFIQ MouthClosed: inner-lip opening / (eye midpoint to chin); inverse sigmoid h 100, x0 0.2, w 0.06. */
export const mouthClosedScore = (r: number): number => ofiqSigmoid(r, { h: 100, a: 1, s: -1, x0: 0.2, w: 0.06 });

/**
 * Crop, after OFIQ CropOfTheFaceImage: eye-centre distance to the left/right edge over the
 * inter-eye distance (OFIQ's x0 0.9, w 0.1); eye line to the top and to the bottom over the
 * eye–chin distance t. OFIQ's vertical centres (1.4 t above, 1.8 t below) assume the loose
 * framing of ISO/IEC 39794-5 and would fail every ICAO 9303 passport photo (a head of 32–36 mm
 * in 45 mm puts the eyes about 1.05 t from the top and 1.6 t from the bottom); egate centres
 * them where the crown (about 1 t above the eyes) and the chin plus some neck (1.3 t below)
 * leave the photo: x0 0.95 above, 1.3 below, w 0.1. The worst of the four is the score.
 */
export const cropScores = {
  left: (r: number): number => ofiqSigmoid(r, { h: 100, x0: 0.9, w: 0.1 }),
  right: (r: number): number => ofiqSigmoid(r, { h: 100, x0: 0.9, w: 0.1 }),
  above: (r: number): number => ofiqSigmoid(r, { h: 100, x0: 0.95, w: 0.1 }),
  below: (r: number): number => ofiqSigmoid(r, { h: 100, x0: 1.3, w: 0.1 }),
};

/**
 * Head size: OFIQ HeadSize's mapping form 200·(1 − sigmoid(|r − c|, 0, 0.05)), centred here on
 * ICAO 9303's chin-to-crown height of 32–36 mm in a 45 mm photo (c = 0.755) instead of OFIQ's
 * own raw definition (which needs its face-parsing net). egate's own adaptation.
 */
export const HEAD_SIZE_CENTRE = 0.755;
export const headSizeScore = (r: number): number => ofiqSigmoid(Math.abs(r - HEAD_SIZE_CENTRE), { h: 200, a: 1, s: -1, x0: 0, w: 0.05 });

/** Centring (egate's own, same form as head size): eye midpoint's horizontal offset from the middle, as a fraction of the width. */
export const centredScore = (offset: number): number => ofiqSigmoid(Math.abs(offset), { h: 200, a: 1, s: -1, x0: 0, w: 0.04 });

/**
 * OFIQ BackgroundUniformity: mean squared luminance gradient on the background; inverse
 * sigmoid h 190, x0 10, w 100. egate finds the background from the landmarks (above the chin,
 * outside the head ellipse), not with OFIQ's face-parsing network.
 */
export const backgroundUniformityScore = (g2: number): number => ofiqSigmoid(g2, { h: 190, a: 1, s: -1, x0: 10, w: 100 });

/** Background lightness (egate's own; OFIQ has no such measure): mean background luminance 0..1, sigmoid x0 0.55, w 0.05. */
export const backgroundLightScore = (m: number): number => ofiqSigmoid(m, { h: 100, x0: 0.55, w: 0.05 });

/** OFIQ LuminanceMean: 100·sigmoid(m, 0.2, 0.05)·(1 − sigmoid(m, 0.8, 0.05)), m = mean face luminance 0..1. */
export const exposureScore = (m: number): number => clampScore(100 * sigmoid(m, 0.2, 0.05) * (1 - sigmoid(m, 0.8, 0.05)));

/** OFIQ DynamicRange: 12.5 × entropy (bits) of the face luminance histogram. */
export const contrastScore = (bits: number): number => clampScore(12.5 * bits);

/**
 * Sharpness (egate's own: OFIQ's is a trained random forest): variance of the Laplacian of
 * the aligned 112×112 face, on a log scale, 50 at 30 (the face engine's blur limit).
 */
export const sharpnessScore = (v: number): number => (v > 0 ? ofiqSigmoid(Math.log(v), { h: 100, x0: Math.log(30), w: 0.5 }) : 0);

/** OFIQ IlluminationUniformity: 100·raw^0.3, raw = intersection of the left and right face-half luminance histograms. */
export const shadowScore = (raw: number): number => clampScore(100 * Math.max(0, raw) ** 0.3);

/** OFIQ NaturalColour: inverse sigmoid h 200, x0 0, w 10 on the distance of mean skin a*, b* from [5, 25] × [5, 35]. */
export const colourScore = (d: number): number => ofiqSigmoid(d, { h: 200, a: 1, s: -1, x0: 0, w: 10 });

/** One face (OFIQ SingleFacePresent scores the gap to the next face; egate counts clear faces): 100 for one, 0 otherwise. */
export const oneFaceScore = (faces: number): number => (faces === 1 ? 100 : 0);
