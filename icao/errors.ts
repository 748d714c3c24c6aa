import { EgateError } from '../core/errors.ts';

/**
 * The reason codes of epassport.md, one per check. The gate's outcome for any of them is
 * REJECTED_DOCUMENT; the journal records the code, the issuing state and the document type.
 */
export const PASSPORT_REASONS = [
  'MRZ_INVALID',
  'DOC_NOT_ELIGIBLE',
  'DOC_EXPIRED',
  'CHIP_UNREADABLE',
  'ACCESS_DENIED',
  'SM_ERROR',
  'PA_SIGNATURE',
  'PA_CHAIN',
  'PA_HASH',
  'PA_MISMATCH',
  'CHIP_CLONED',
  'REFERENCE_UNUSABLE',
] as const;

export type PassportReason = (typeof PASSPORT_REASONS)[number];

/**
 * A passport check failed. `code` is the reason; the message names the step and never
 * echoes a document number, a name or image bytes.
 */
export class PassportError extends EgateError {
  declare readonly code: PassportReason;
  constructor(reason: PassportReason, message: string, options?: { cause?: unknown }) {
    super(reason, message, options);
  }
}

export function isPassportError(err: unknown): err is PassportError {
  return err instanceof PassportError;
}

/** Runs `fn`; any error that is not already a PassportError becomes one with `reason`. */
export async function asReason<T>(reason: PassportReason, what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PassportError) throw err;
    throw new PassportError(reason, `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The chip could not be reached at all (removed, reader failure): CHIP_UNREADABLE, never "feature absent". */
export class ChipTransportError extends PassportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CHIP_UNREADABLE', message, options);
  }
}
