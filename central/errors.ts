import { EgateError } from '../kiosk/errors.ts';

/**
 * Errors of the central system. Codes: CENTRAL_CONFIG, CENTRAL_DB, CENTRAL_PRIVACY,
 * CENTRAL_AUTH, CENTRAL_FORBIDDEN, CENTRAL_BAD_REQUEST, CENTRAL_NOT_FOUND, CENTRAL_APPROVAL,
 * CENTRAL_KEY.
 */
export class CentralError extends EgateError {}
