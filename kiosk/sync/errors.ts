import { EgateError } from '../errors.ts';

/**
 * Codes: SYNC_OFFLINE (no connection to publish on), SYNC_LINK_LOST (connection dropped
 * before the PUBACK), SYNC_PUBLISH_REFUSED (PUBACK with an error reason code),
 * SYNC_STOPPED, SYNC_FLUSH_TIMEOUT, SYNC_BAD_KEY (central key unreadable).
 */
export class SyncError extends EgateError {}
