import { z } from 'zod';
import { EgateError } from '../errors.ts';
import { readJson } from './trust-list.ts';

/** File format: credential ids (hex of the 16-byte cti) and holder references that are revoked. */
export const revocationListSchema = z.object({
  cti: z.array(z.string().regex(/^[0-9a-f]{32}$/)).default([]),
  sub: z.array(z.string().min(1).max(64)).default([]),
});
export type RevocationListJson = z.input<typeof revocationListSchema>;

/** Revoked credentials (by cti) and holders (by sub); replaced whole, at run time. */
export class RevocationList {
  #cti = new Set<string>();
  #sub = new Set<string>();

  constructor(json: RevocationListJson = {}) {
    this.replace(json);
  }

  static load(path: string): RevocationList {
    return new RevocationList(readJson(path, 'REVOCATION_LIST_INVALID', 'revocation list') as RevocationListJson);
  }

  /** Validates first; on an error the current list stays in force. */
  replace(json: unknown): void {
    const parsed = revocationListSchema.safeParse(json);
    if (!parsed.success) throw new EgateError('REVOCATION_LIST_INVALID', 'revocation list: invalid format');
    this.#cti = new Set(parsed.data.cti);
    this.#sub = new Set(parsed.data.sub);
  }

  isRevoked(cti: Uint8Array, sub: string): boolean {
    return this.#cti.has(Buffer.from(cti).toString('hex')) || this.#sub.has(sub);
  }

  get size(): number {
    return this.#cti.size + this.#sub.size;
  }
}
