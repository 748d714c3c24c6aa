import { EgateError } from '../errors.ts';
import { EnrolmentError } from './errors.ts';
import type { ReferenceQuality, ReferenceStore } from './reference-store.ts';

/**
 * What enrolment needs from the face engine (kiosk/biometrics `FaceEngine` satisfies it):
 * the template and quality of the dominant face of a reference photo, and the engine's
 * verdict on whether that quality is good enough for a reference.
 */
export interface ReferenceExtractor {
  extractReference(image: Uint8Array): Promise<{
    template: Float32Array;
    quality: ReferenceQuality;
    acceptable: boolean;
    issues: string[];
  }>;
}

export interface EnrolResult {
  replaced: boolean;
  quality: ReferenceQuality;
  /** Issues the engine named that did not block enrolment (e.g. `several_faces` on an ID photo). */
  issues: string[];
}

/**
 * Enrols `sub` from a photo only when the face engine rates it acceptable; otherwise throws
 * ENROLMENT_POOR_QUALITY with the engine's issues (`no_face` when it found none) and
 * leaves any existing reference untouched. The photo and template stay in memory.
 */
export async function enrolFromPhoto(store: ReferenceStore, extractor: ReferenceExtractor, sub: string, photo: Uint8Array): Promise<EnrolResult> {
  let extraction: Awaited<ReturnType<ReferenceExtractor['extractReference']>>;
  try {
    extraction = await extractor.extractReference(photo);
  } catch (err) {
    if (err instanceof EgateError && err.code === 'NO_FACE') {
      throw new EnrolmentError('ENROLMENT_POOR_QUALITY', 'no face found in the photo', { issues: ['no_face'], cause: err });
    }
    throw err;
  }
  if (!extraction.acceptable) {
    throw new EnrolmentError('ENROLMENT_POOR_QUALITY', `photo refused for enrolment: ${extraction.issues.join(', ')}`, { issues: extraction.issues });
  }
  const replaced = store.upsert(sub, extraction.template, { source: 'photo', quality: extraction.quality });
  return { replaced, quality: extraction.quality, issues: extraction.issues };
}
