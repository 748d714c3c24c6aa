export type { FaceEngine, FaceLocation, FaceQuality, FaceReference, ImageInput, QualityIssue, RawFrame, ReferenceExtraction, VerifyResult } from './types.ts';
export { FaceEngineError, FaceInputError } from './errors.ts';
export { createFaceEngine } from './engine.ts';
export { decodeImage, MAX_FILE_BYTES, MAX_PIXELS } from './decode.ts';
export { cosine } from './embed.ts';
export { operatingPointFor } from './decide.ts';
