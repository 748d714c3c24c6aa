import { JournalError } from './errors.ts';

/**
 * The journal is append-only and leaves the gate: whatever a bug hands to `append` stays
 * forever and is copied to the central system. So data is checked before it is hashed, and
 * anything that looks like a face image, a template, token text or a raw identity number is
 * refused with JOURNAL_PRIVACY rather than trusted to the caller's care. Error messages name
 * the path of the offending key, never its value.
 */

/** Keys (lower-cased, `_`/`-` removed) that are never allowed, wherever they appear. */
const FORBIDDEN_KEYS = new Set([
  'sub', 'holder', 'holderref', 'token', 'tokentext', 'rawtoken', 'qr', 'qrtext', 'qrcode', 'cwt', 'cose',
  'credential', 'presentation', 'documentnumber', 'documentno', 'docnumber', 'idnumber', 'hkid', 'hkidnumber',
  'passportnumber', 'cardnumber', 'nationalid', 'mrz', 'frame', 'frames', 'face', 'faces', 'pixels', 'jpeg', 'jpg', 'png',
  'name', 'surname', 'givenname', 'dateofbirth', 'dob', 'pin', 'secret', 'privatekey',
]);
/** Key fragments that always mean media or biometric data (`referenceTemplate`, `liveImage`). */
const FORBIDDEN_FRAGMENTS = ['image', 'template', 'embedding', 'photo', 'biometric', 'portrait'];

/** Longest string value: scores, codes and ids are short; a base64 image or token is not. */
export const MAX_STRING_CHARS = 1024;
/** Longest array of numbers: a 512-float template spread into an array must not pass. */
export const MAX_NUMBER_ARRAY = 64;
const MAX_DEPTH = 8;
const PSEUDONYM = /^[0-9a-f]{32}$/;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[_\-\s.]/g, '');
}

function refuse(path: string, why: string): never {
  throw new JournalError('JOURNAL_PRIVACY', `journal data refused at ${path || '(root)'}: ${why}`);
}

function bad(path: string, why: string): never {
  throw new JournalError('JOURNAL_BAD_DATA', `journal data is not plain JSON at ${path || '(root)'}: ${why}`);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function walk(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) bad(path, 'non-finite number');
    return;
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_CHARS) refuse(path, `string longer than ${MAX_STRING_CHARS} characters (image or token text?)`);
    return;
  }
  if (typeof value !== 'object') bad(path, `${typeof value} is not JSON`);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    refuse(path, 'binary data (Buffer / typed array) is never journalled');
  }
  if (depth >= MAX_DEPTH) bad(path, `nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    if (value.length > MAX_NUMBER_ARRAY && value.every((x) => typeof x === 'number')) {
      refuse(path, `array of ${value.length} numbers (template or embedding?)`);
    }
    value.forEach((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    return;
  }
  if (!isPlainObject(value)) bad(path, `${value.constructor?.name ?? 'object'} is not a plain object`);
  for (const [key, v] of Object.entries(value)) {
    const p = path ? `${path}.${key}` : key;
    const n = normalise(key);
    if (FORBIDDEN_KEYS.has(n) || FORBIDDEN_FRAGMENTS.some((f) => n.includes(f))) {
      refuse(p, 'key names traveller data (image, template, token text or raw id)');
    }
    if (n === 'subject' && v !== null && v !== undefined && !(typeof v === 'string' && PSEUDONYM.test(v))) {
      refuse(p, 'subject must be a pseudonym (32 lower-case hex), never a raw sub');
    }
    if (v !== undefined) walk(v, p, depth + 1);
  }
}

/** Throws JournalError (JOURNAL_PRIVACY or JOURNAL_BAD_DATA) unless `data` is safe plain JSON. */
export function assertJournalSafe(data: unknown): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) bad('', 'event data must be a JSON object');
  walk(data, '', 0);
}
