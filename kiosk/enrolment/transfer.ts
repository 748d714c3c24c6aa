import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { EnrolmentError } from './errors.ts';
import type { ReferenceStore } from './reference-store.ts';
import { bytesToTemplate, keyId, seal, templateToBytes, unseal } from './sealed.ts';

/**
 * Export file: one JSON envelope whose body (every record, templates included) is a single
 * AES-256-GCM box; the header is bound as additional data, so neither the record count nor
 * the key named can be changed. Subs are inside the box too: a lost export file reveals
 * neither faces nor who is enrolled. It is sealed with a *transfer key* — a 32-byte key
 * file — which by default is the store's own key (gates of one fleet that share the
 * enrolment key import each other's exports); pass another key file to hand references to a
 * gate with a different store key.
 */
export const EXPORT_FORMAT = 'egate-references';
export const EXPORT_VERSION = 1;

const header = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  created: z.string(),
  count: z.number().int().nonnegative(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
});
const envelope = header.extend({ iv: z.base64(), tag: z.base64(), sealed: z.base64() });
const quality = z.object({
  interEyePx: z.number(),
  yaw: z.number(),
  pitch: z.number(),
  roll: z.number(),
  sharpness: z.number(),
  exposure: z.number(),
  faceCount: z.number(),
  detectionScore: z.number(),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});
const record = z.object({
  sub: z.string(),
  template: z.base64(),
  source: z.string(),
  quality: quality.nullable(),
  enrolledAt: z.string(),
});

type Header = z.infer<typeof header>;

function aad(h: Header): Buffer {
  return Buffer.from(canonicalize({ format: h.format, version: h.version, created: h.created, count: h.count, keyId: h.keyId }) ?? '', 'utf8');
}

/** Writes every reference of `store` to `file` (mode 0600, written then renamed into place). */
export function exportReferences(store: ReferenceStore, file: string, transferKey: Buffer, now: Date): number {
  const records = store.list().map((s) => {
    const ref = store.get(s.sub);
    if (!ref) throw new EnrolmentError('ENROLMENT_IO', 'a reference vanished during export');
    return { sub: ref.sub, template: templateToBytes(ref.template).toString('base64'), source: ref.source, quality: ref.quality, enrolledAt: ref.enrolledAt };
  });
  const h: Header = { format: EXPORT_FORMAT, version: EXPORT_VERSION, created: now.toISOString(), count: records.length, keyId: keyId(transferKey) };
  const box = seal(transferKey, Buffer.from(JSON.stringify(records), 'utf8'), aad(h));
  const body = { ...h, iv: box.iv.toString('base64'), tag: box.tag.toString('base64'), sealed: box.sealed.toString('base64') };
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(body), { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  return records.length;
}

/**
 * Reads an export and upserts every record into `store` in one transaction (all or none).
 * Records keep their original enrolment date and quality; source becomes `import`.
 */
export function importReferences(store: ReferenceStore, file: string, transferKey: Buffer): { imported: number; replaced: number } {
  let parsed: z.infer<typeof envelope>;
  try {
    parsed = envelope.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EnrolmentError('ENROLMENT_IO', `export file ${file} not found`);
    throw new EnrolmentError('ENROLMENT_EXPORT_INVALID', `${file} is not an egate reference export`, { cause: err });
  }
  if (parsed.keyId !== keyId(transferKey)) {
    throw new EnrolmentError('ENROLMENT_WRONG_KEY', `export was sealed with key ${parsed.keyId}, not with the key given (${keyId(transferKey)})`);
  }
  const box = { iv: Buffer.from(parsed.iv, 'base64'), tag: Buffer.from(parsed.tag, 'base64'), sealed: Buffer.from(parsed.sealed, 'base64') };
  const plain = unseal(transferKey, box, aad(parsed), 'reference export');
  const records = z.array(record).length(parsed.count).safeParse(JSON.parse(plain.toString('utf8')));
  if (!records.success) throw new EnrolmentError('ENROLMENT_EXPORT_INVALID', 'export body does not hold the announced records');
  return store.transaction(() => {
    let replaced = 0;
    for (const r of records.data) {
      const template = bytesToTemplate(Buffer.from(r.template, 'base64'));
      if (store.upsert(r.sub, template, { source: 'import', quality: r.quality, enrolledAt: r.enrolledAt })) replaced++;
    }
    return { imported: records.data.length, replaced };
  });
}
