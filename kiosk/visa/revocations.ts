import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { EgateError } from '../errors.ts';

/** File format: the visa numbers the department has revoked (a signed central command replaces or extends it). */
export const visaRevocationSchema = z.object({ visas: z.array(z.string().regex(/^[A-Z0-9]{6,20}$/)).max(1_000_000) }).strict();
export type VisaRevocationJson = z.infer<typeof visaRevocationSchema>;

/**
 * Revoked visa numbers. In memory it is replaced whole; bound to a file it re-reads the file
 * when its size or modification time changes, so a list the central command wrote (kiosk/sync)
 * is in force at the next seal without the sync code knowing about visas. A file that turns
 * unreadable or invalid leaves the last good list in force (fail closed: nothing is un-revoked).
 */
export class VisaRevocationList {
  #visas = new Set<string>();
  #stamp = '';
  readonly #path: string | undefined;

  constructor(json: unknown = { visas: [] }, path?: string) {
    this.#path = path;
    if (path) this.#reloadIfChanged(true);
    else this.replace(json);
  }

  static load(path: string): VisaRevocationList {
    return new VisaRevocationList(undefined, path);
  }

  /** Validates first; on an error the current list stays in force. */
  replace(json: unknown): void {
    const r = visaRevocationSchema.safeParse(json);
    if (!r.success) throw new EgateError('VISA_REVOCATIONS_INVALID', 'visa revocation list: invalid format');
    this.#visas = new Set(r.data.visas);
  }

  isRevoked(visaNumber: string): boolean {
    this.#reloadIfChanged(false);
    return this.#visas.has(visaNumber);
  }

  get size(): number {
    return this.#visas.size;
  }

  #reloadIfChanged(first: boolean): void {
    if (!this.#path) return;
    try {
      const st = statSync(this.#path);
      const stamp = `${st.size}:${st.mtimeMs}`;
      if (stamp === this.#stamp) return;
      this.replace(JSON.parse(readFileSync(this.#path, 'utf8')));
      this.#stamp = stamp;
    } catch (err) {
      // No file yet: nothing revoked until the first central command writes one.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && this.#stamp === '') return;
      if (first) throw err instanceof EgateError ? err : new EgateError('VISA_REVOCATIONS_INVALID', `visa revocation list ${this.#path}: ${(err as Error).message}`);
    }
  }
}
