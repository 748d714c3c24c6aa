import { EgateError } from '../errors.ts';

/**
 * The reference store refused or failed. Codes: ENROLMENT_BAD_SUB, ENROLMENT_BAD_TEMPLATE,
 * ENROLMENT_WRONG_KEY (the key file is not the one the store or export was sealed with),
 * ENROLMENT_DECRYPT_FAILED (a record fails authentication: tampered, or moved to another
 * sub), ENROLMENT_POOR_QUALITY (see `issues`), ENROLMENT_EXPORT_INVALID, ENROLMENT_BAD_ARGUMENT,
 * ENROLMENT_IO.
 * Messages never contain a sub, a template or image bytes.
 */
export class EnrolmentError extends EgateError {
  /** Quality issues named by the face engine, for ENROLMENT_POOR_QUALITY. */
  readonly issues: readonly string[];
  constructor(code: string, message: string, options?: { cause?: unknown; issues?: readonly string[] }) {
    super(code, message, options);
    this.issues = options?.issues ?? [];
  }
}
