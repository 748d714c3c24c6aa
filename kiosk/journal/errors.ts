import { EgateError } from '../errors.ts';

/**
 * The journal refused an append or cannot be used. Codes: JOURNAL_PRIVACY (data that looks
 * like an image, template, token text or raw id), JOURNAL_BAD_TYPE, JOURNAL_BAD_DATA,
 * JOURNAL_GATE_MISMATCH, JOURNAL_IO, JOURNAL_BAD_ARGUMENT. Messages name the offending path
 * in the data, never its value.
 */
export class JournalError extends EgateError {}

/** A key or secret file is missing, malformed or readable by others. */
export class KeyFileError extends EgateError {}
