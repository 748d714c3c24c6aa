import { EgateError } from '../errors.ts';

/**
 * An image the engine cannot use. Codes: IMAGE_EMPTY, IMAGE_CORRUPT, IMAGE_UNSUPPORTED,
 * IMAGE_TOO_LARGE, FRAME_INVALID. Messages never contain image bytes.
 */
export class FaceInputError extends EgateError {}

/** The engine itself failed: ENGINE_CLOSED, WORKER_FAILED, OPERATING_POINT_UNKNOWN, NO_FACE. */
export class FaceEngineError extends EgateError {}
