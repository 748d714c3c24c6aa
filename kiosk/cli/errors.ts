import { EgateError } from '../errors.ts';

/**
 * Errors of the technician CLI, on either side of the socket. The server sends `code` and
 * `message` back to the client, which prints them; messages never carry a PIN, a key or
 * traveller data.
 */
export class CliError extends EgateError {}

