import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { EgateError } from '../errors.ts';
import { assertStrictModes } from '../strict-modes.ts';
import { checkKid, kidIndex, kidBytes } from './kid.ts';

const jwkSchema = z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() });

/** File format: kid → P-256 public key (JWK) with validity dates and a withdrawn flag. */
export const trustListSchema = z.record(
  z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  z.object({
    jwk: jwkSchema,
    notBefore: z.iso.datetime({ offset: true }),
    notAfter: z.iso.datetime({ offset: true }),
    withdrawn: z.boolean().default(false),
  }),
);
export type TrustListJson = z.input<typeof trustListSchema>;

interface IssuerKey {
  kid: string;
  key: KeyObject;
  notBefore: number;
  notAfter: number;
  withdrawn: boolean;
}

/**
 * The issuer keys this gate trusts. `replace` swaps the whole list at once (a later issue
 * feeds it from a signed central command), so a check never sees half of an update.
 */
export class TrustList {
  #keys = new Map<string, IssuerKey>();

  constructor(json: TrustListJson = {}) {
    this.replace(json);
  }

  static load(path: string): TrustList {
    return new TrustList(readJson(path, 'TRUST_LIST_INVALID', 'trust list') as TrustListJson);
  }

  /** Validates the whole list first; on any error the current list stays in force. */
  replace(json: unknown): void {
    const parsed = trustListSchema.safeParse(json);
    if (!parsed.success) throw new EgateError('TRUST_LIST_INVALID', `trust list: ${parsed.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`);
    const next = new Map<string, IssuerKey>();
    for (const [kid, e] of Object.entries(parsed.data)) {
      let key: KeyObject;
      try {
        key = createPublicKey({ key: e.jwk, format: 'jwk' });
      } catch {
        throw new EgateError('TRUST_LIST_INVALID', `trust list: key ${checkKid(kid)} is not a P-256 point`);
      }
      next.set(kidIndex(kidBytes(kid)), { kid, key, notBefore: Date.parse(e.notBefore), notAfter: Date.parse(e.notAfter), withdrawn: e.withdrawn });
    }
    this.#keys = next;
  }

  /** The issuer key for a kid read from a credential, if trusted at `nowMs`: listed, in its dates, not withdrawn. */
  lookup(kid: Uint8Array, nowMs: number): { kid: string; key: KeyObject } | undefined {
    const e = this.#keys.get(kidIndex(kid));
    if (!e || e.withdrawn || nowMs < e.notBefore || nowMs > e.notAfter) return undefined;
    return { kid: e.kid, key: e.key };
  }

  get size(): number {
    return this.#keys.size;
  }
}

/** Reads a JSON file the gate trusts; one that another user could have written is refused first (FileModeError). */
export function readJson(path: string, code: string, what = 'file'): unknown {
  assertStrictModes(path, what);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EgateError(code, `cannot read ${path}`, { cause: err });
  }
}
