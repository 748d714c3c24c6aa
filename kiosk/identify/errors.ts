import { EgateError } from '../errors.ts';

/**
 * Identification (1:N) refused or failed. Codes:
 * - IDENTIFY_GALLERY_MISSING: the enrolment store file does not exist (nothing to search).
 * - IDENTIFY_GALLERY_CORRUPT: the store cannot be read, or an opted-in record fails
 *   authentication or holds a malformed template; the index is not built (fail closed: the
 *   lane falls back to token-only crossings).
 * - IDENTIFY_GALLERY_WRONG_KEY: the store was sealed with another key.
 * - IDENTIFY_BAD_PROBE: the probe is not 512 finite values, or has no length.
 * - IDENTIFY_BAD_ARGUMENT: k, a threshold, a margin or a sub is out of range.
 * - IDENTIFY_NO_OPERATING_POINT: no calibrated threshold covers this gallery size or target.
 * Messages never contain a sub, a template or image bytes.
 */
export class IdentifyError extends EgateError {}
