import { FpsQrError } from './errors.ts';

/**
 * The EMVCo merchant-presented QR data-object format: ID (2 digits) + length (2 digits,
 * 01–99) + value, concatenated; templates (26–51, 62, 64) hold the same format inside
 * their value. Values are printable ASCII here (the HK Common QR's Chinese names go in
 * template 64, which egate does not write).
 */
export interface DataObject {
  readonly id: string;
  readonly value: string;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

export function isPrintableAscii(text: string): boolean {
  return PRINTABLE.test(text);
}

/** Serialises one data object; refuses a value the format cannot carry. */
export function tlv(id: string, value: string): string {
  if (!/^[0-9]{2}$/.test(id)) throw new FpsQrError('QR_SYNTAX', 'an ID is two digits', id);
  if (value.length < 1 || value.length > 99) throw new FpsQrError('QR_BAD_FIELD', `length ${value.length} outside 1–99`, id);
  if (!isPrintableAscii(value)) throw new FpsQrError('QR_CHARSET', 'only printable ASCII is allowed', id);
  return `${id}${String(value.length).padStart(2, '0')}${value}`;
}

/**
 * Splits `text` into data objects, strictly: every ID and length is two ASCII digits, no
 * length is 00, no object runs past the end, no ID appears twice at one level. `where`
 * prefixes the field names in errors ("26." for the merchant account template).
 */
export function parseTlv(text: string, where = ''): DataObject[] {
  const out: DataObject[] = [];
  const seen = new Set<string>();
  let at = 0;
  while (at < text.length) {
    if (at + 4 > text.length) throw new FpsQrError('QR_SYNTAX', `truncated data object header at offset ${at}`, where || undefined);
    const id = text.slice(at, at + 2);
    const len = text.slice(at + 2, at + 4);
    if (!/^[0-9]{2}$/.test(id)) throw new FpsQrError('QR_SYNTAX', `ID at offset ${at} is not two digits`, where || undefined);
    if (!/^[0-9]{2}$/.test(len) || len === '00') throw new FpsQrError('QR_SYNTAX', 'length is not two digits 01–99', `${where}${id}`);
    const n = Number(len);
    if (at + 4 + n > text.length) throw new FpsQrError('QR_SYNTAX', `length ${n} runs past the end`, `${where}${id}`);
    if (seen.has(id)) throw new FpsQrError('QR_DUPLICATE_ID', 'appears twice', `${where}${id}`);
    seen.add(id);
    out.push({ id, value: text.slice(at + 4, at + 4 + n) });
    at += 4 + n;
  }
  return out;
}
