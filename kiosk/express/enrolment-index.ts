import { createHmac, hkdfSync } from 'node:crypto';
import { parseTd3, type Mrz } from '../../icao/mrz.ts';
import type { ReferenceStore } from '../enrolment/reference-store.ts';
import { loadOrCreateKeyFile } from '../journal/key-file.ts';

/** How a self-registration enrolment's store entry says until when it may be used. */
const SOURCE = /^registration:until-(\d{4}-\d{2}-\d{2})$/;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The index key of enrolments by document: derived (HKDF) from the reference store's own key,
 * so a kiosk and a lane sharing the store (or its key) find the same entry, and nobody without
 * the key can turn a document number into the reference printed on the slip or journalled.
 */
export function enrolmentIndexKey(storeKeyPath: string): Buffer {
  return Buffer.from(hkdfSync('sha256', loadOrCreateKeyFile(storeKeyPath, 32), Buffer.alloc(0), 'egate/enrolment-index/v1', 32));
}

/** `YYMMDD` (MRZ expiry) as `20YY-MM-DD`: passports expire at most ten years out. */
export function expiryOf(mrz: Mrz): string {
  const e = mrz.expiryDate;
  return `20${e.slice(0, 2)}-${e.slice(2, 4)}-${e.slice(4, 6)}`;
}

/**
 * The enrolment reference of one passport booklet: `ENR-` and 16 base32 characters of
 * HMAC(index key, state, number, expiry). A renewed passport (new expiry) has another
 * reference; the same booklet enrolled twice replaces its entry.
 */
export function enrolmentSubFor(indexKey: Buffer, mrz: Mrz): string {
  const mac = createHmac('sha256', indexKey).update(`${mrz.issuingState}\0${mrz.documentNumber}\0${mrz.expiryDate}`).digest();
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const byte of mac.subarray(0, 10)) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `ENR-${out}`;
}

/** The source an enrolment is stored with: it ends with the passport. */
export function enrolmentSource(validUntil: string): string {
  return `registration:until-${validUntil}`;
}

/**
 * The enrolled template for the passport whose MRZ was just read, when the visitor registered
 * it and it is still valid (until the passport's expiry, today included); else undefined and
 * the lane reads DG2 as before. An unparsable MRZ or a damaged entry also gives undefined.
 */
export function findEnrolment(store: Pick<ReferenceStore, 'get'>, indexKey: Buffer, lines: unknown, now: number): { sub: string; template: Float32Array; validUntil: string } | undefined {
  let mrz: Mrz;
  try {
    mrz = parseTd3(lines as string[]);
  } catch {
    return undefined;
  }
  const sub = enrolmentSubFor(indexKey, mrz);
  let ref;
  try {
    ref = store.get(sub);
  } catch {
    return undefined; // a record failing authentication is no enrolment: read the chip
  }
  const until = ref && SOURCE.exec(ref.source)?.[1];
  if (!ref || !until || until !== expiryOf(mrz)) return undefined;
  if (until < new Date(now).toISOString().slice(0, 10)) return undefined;
  return { sub, template: ref.template, validUntil: until };
}
