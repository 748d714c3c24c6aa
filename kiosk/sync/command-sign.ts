import type { KeyObject } from 'node:crypto';
import { signSign1 } from '../tokens/cose-sign1.ts';
import type { Command } from './command-schema.ts';

/**
 * The central side of a command (tools, tests, a reference for the back end): the JSON
 * payload signed as a COSE_Sign1 with ES256 and protected header `{1: -7}`, no kid.
 */
export function signCommand(centralKey: KeyObject, command: Command | Record<string, unknown>): Uint8Array {
  return signSign1(centralKey, new Uint8Array(Buffer.from(JSON.stringify(command), 'utf8')));
}
