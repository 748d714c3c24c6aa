import { EgateError } from '../errors.ts';

/**
 * Errors of the technician CLI, on either side of the socket. The server sends `code` and
 * `message` back to the client, which prints them; messages never carry a PIN, a key or
 * traveller data.
 */
export class CliError extends EgateError {}

/** Codes the client branches on (the server may send others: those of the stores it calls). */
export const CLI_CODES = {
  notRunning: 'GATE_NOT_RUNNING',
  loginRequired: 'LOGIN_REQUIRED',
  loginFailed: 'LOGIN_FAILED',
  lockedOut: 'LOCKED_OUT',
  badRequest: 'BAD_REQUEST',
  unknownCommand: 'UNKNOWN_COMMAND',
  socketInUse: 'SOCKET_IN_USE',
  socketUnsafe: 'SOCKET_UNSAFE',
  noTerminal: 'NO_TERMINAL',
  credentials: 'CREDENTIALS_INVALID',
  syncDisabled: 'SYNC_DISABLED',
} as const;
