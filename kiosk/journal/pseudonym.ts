import { createHmac } from 'node:crypto';
import { loadOrCreateKeyFile } from './key-file.ts';

/**
 * Turns a holder reference (`sub`) into the subject pseudonym the journal may hold:
 * HMAC-SHA256 with the gate secret, hex of the first 16 bytes (events.md). Stable for one
 * secret, so the central system can link one traveller's crossings at this gate without
 * learning who it is; without the secret a dictionary of known subs does not reverse it.
 */
export class Pseudonymizer {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < 32) throw new RangeError('gate secret must be at least 32 bytes');
    this.#secret = Buffer.from(secret);
  }

  /** Loads the gate secret file (32 random bytes, mode 0600), creating it on first use. */
  static fromFile(path: string): Pseudonymizer {
    return new Pseudonymizer(loadOrCreateKeyFile(path, 32));
  }

  pseudonym(sub: string): string {
    return createHmac('sha256', this.#secret).update(sub, 'utf8').digest().subarray(0, 16).toString('hex');
  }
}
