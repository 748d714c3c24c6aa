import type { FaceConfig, OperatingPoint } from '../../config/sections/face.ts';
import { cosine } from './embed.ts';
import { FaceEngineError } from './errors.ts';
import type { Analysis } from './pipeline.ts';
import { blocking, qualityIssues } from './quality.ts';
import type { FaceReference, VerifyResult } from './types.ts';

/**
 * The operating point for a reference: chip photos use face.chipOperatingPoints when the
 * site configured them, everything else face.operatingPoints. Unknown names are an error,
 * never a silent fallback to a weaker threshold.
 */
export function operatingPointFor(config: FaceConfig, reference: FaceReference, name = config.operatingPoint): OperatingPoint & { name: string } {
  const set = reference.source === 'chip' && config.chipOperatingPoints ? config.chipOperatingPoints : config.operatingPoints;
  const op = set[name];
  if (!op) throw new FaceEngineError('OPERATING_POINT_UNKNOWN', `operating point ${name} is not configured (have: ${Object.keys(set).join(', ')})`);
  return { ...op, name };
}

/**
 * Decision on one analysed frame, in this order: no face → `no_face`; a blocking quality
 * issue → `poor_quality` (liveness is unreliable on a bad frame); liveness under the
 * threshold → `spoof`; then score against the threshold. Fails closed: NaN never matches.
 */
export function decide(analysis: Analysis, reference: FaceReference, threshold: number, config: FaceConfig): Omit<VerifyResult, 'timings'> {
  if (!analysis.found) {
    return { decision: 'no_face', score: null, threshold, liveness: null, quality: null, issues: ['no_face'], otherFaces: Math.max(0, analysis.faceCount) };
  }
  const issues = qualityIssues(analysis.quality, analysis.otherFaces, analysis.eyeOpenness, config.quality);
  const score = cosine(reference.template, analysis.template);
  const liveness = analysis.liveness;
  let decision: VerifyResult['decision'];
  if (blocking(issues)) decision = 'poor_quality';
  else if (liveness === null || !(liveness >= config.livenessThreshold)) decision = 'spoof';
  else decision = score >= threshold ? 'match' : 'no_match';
  return { decision, score, threshold, liveness, quality: analysis.quality, issues, otherFaces: analysis.otherFaces };
}
