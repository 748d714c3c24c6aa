import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EgateError } from '../errors.ts';

/** ICAO three-letter code of an issuing state (header `is`), '<'-padded like the MRZ ("D<<"). */
export const STATE = /^[A-Z<]{3}$/;

/**
 * The trust list in a file: per issuing state, the PEM certificates of the roots its
 * barcode signers chain to. The airline verifier keeps a cached copy of this file and works
 * offline with it; the gate builds the same thing from configured PEM paths.
 */
export const trustBundleSchema = z
  .object({
    /** When the copy was taken from the department (ISO 8601): shown to airline staff. */
    fetched: z.string().max(40).optional(),
    roots: z.record(z.string().regex(STATE), z.array(z.string().min(1).max(20_000)).min(1)),
  })
  .strict();
export type TrustBundle = z.infer<typeof trustBundleSchema>;

export interface VisaRoot {
  state: string;
  cert: X509Certificate;
}

function pemBlocks(text: string): Buffer[] {
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  return [...text.matchAll(re)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

function filesOf(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).sort().map((f) => join(path, f)) : [path];
}

/**
 * The roots e-Visa barcode signers must chain to, by issuing state. Only CA certificates
 * are taken; a file that holds none is an error at load, never an empty trust list.
 */
export class VisaTrust {
  readonly #byState = new Map<string, VisaRoot[]>();
  readonly fetched: string | undefined;

  constructor(roots: readonly VisaRoot[], fetched?: string) {
    for (const r of roots) {
      if (!STATE.test(r.state)) throw new EgateError('VISA_TRUST_INVALID', `issuing state ${JSON.stringify(r.state)} is not a three-letter code`);
      if (!r.cert.ca) throw new EgateError('VISA_TRUST_INVALID', `a root of ${r.state} is not a CA certificate`);
      this.#byState.set(r.state, [...(this.#byState.get(r.state) ?? []), r]);
    }
    this.fetched = fetched;
  }

  /** From PEM/DER files or directories, per state (the gate's configuration). */
  static fromPaths(entries: readonly { state: string; paths: readonly string[] }[]): VisaTrust {
    const roots: VisaRoot[] = [];
    for (const e of entries) {
      for (const file of e.paths.flatMap(filesOf)) {
        const bytes = readFileSync(file);
        const ders = bytes.includes('-----BEGIN') ? pemBlocks(bytes.toString('latin1')) : [bytes];
        if (ders.length === 0) throw new EgateError('VISA_TRUST_INVALID', `${file}: no certificate`);
        for (const der of ders) roots.push({ state: e.state, cert: new X509Certificate(der) });
      }
    }
    return new VisaTrust(roots);
  }

  /** From a trust-list bundle (the airline verifier's cached copy). */
  static fromBundle(json: unknown): VisaTrust {
    const r = trustBundleSchema.safeParse(json);
    if (!r.success) throw new EgateError('VISA_TRUST_INVALID', `trust list: ${r.error.issues[0]?.message ?? 'invalid'}`);
    const roots = Object.entries(r.data.roots).flatMap(([state, pems]) => pems.flatMap((pem) => pemBlocks(pem).map((der) => ({ state, cert: new X509Certificate(der) }))));
    return new VisaTrust(roots, r.data.fetched);
  }

  static loadBundle(path: string): VisaTrust {
    return VisaTrust.fromBundle(JSON.parse(readFileSync(path, 'utf8')));
  }

  states(): string[] {
    return [...this.#byState.keys()];
  }

  rootsOf(state: string): readonly VisaRoot[] {
    return this.#byState.get(state) ?? [];
  }

  toBundle(fetched?: string): TrustBundle {
    const roots: Record<string, string[]> = {};
    for (const [state, rs] of this.#byState) roots[state] = rs.map((r) => r.cert.toString());
    return { ...(fetched ? { fetched } : {}), roots };
  }
}
