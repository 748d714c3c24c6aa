import { PassportError } from './errors.ts';

/**
 * The machine-readable zone of a TD3 (passport) data page: two lines of 44 characters
 * from A–Z, 0–9 and '<'. Every check digit is verified, the composite one included; any
 * failure is MRZ_INVALID and the message says which field, never its value.
 */
export interface Mrz {
  lines: readonly [string, string];
  documentCode: string;
  issuingState: string;
  documentNumber: string;
  nationality: string;
  /** YYMMDD as printed. */
  birthDate: string;
  sex: string;
  /** YYMMDD as printed. */
  expiryDate: string;
  optionalData: string;
}

const LINE = /^[A-Z0-9<]{44}$/;
const WEIGHTS = [7, 3, 1] as const;

function charValue(c: string): number {
  if (c === '<') return 0;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  throw new PassportError('MRZ_INVALID', 'character outside the MRZ set');
}

/** ICAO 9303 Part 3 §4.9: weights 7-3-1 repeating, modulo 10. */
export function checkDigit(field: string): number {
  let sum = 0;
  for (let i = 0; i < field.length; i++) sum += charValue(field[i]!) * WEIGHTS[i % 3]!;
  return sum % 10;
}

function verify(field: string, digit: string, name: string, fillerAllowed = false): void {
  if (fillerAllowed && digit === '<' && /^<*$/.test(field)) return;
  if (!/^[0-9]$/.test(digit) || checkDigit(field) !== Number(digit)) {
    throw new PassportError('MRZ_INVALID', `check digit of ${name} does not match`);
  }
}

function validDate(yymmdd: string, name: string): void {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(yymmdd);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  if (!m || month < 1 || month > 12 || day < 1 || day > 31) throw new PassportError('MRZ_INVALID', `${name} is not a date`);
}

/** Accepts the two lines as an array, or as one string split by a newline or run together (88 characters). */
export function parseTd3(input: string | readonly string[]): Mrz {
  if (typeof input !== 'string' && !Array.isArray(input)) throw new PassportError('MRZ_INVALID', 'MRZ is not text');
  const text = typeof input === 'string' ? input : input.join('\n');
  const compact = text.trim().split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l.length > 0);
  const lines = compact.length === 1 && compact[0]!.length === 88 ? [compact[0]!.slice(0, 44), compact[0]!.slice(44)] : compact;
  if (lines.length !== 2) throw new PassportError('MRZ_INVALID', `expected 2 lines, got ${lines.length}`);
  const [l1, l2] = lines as [string, string];
  if (!LINE.test(l1) || !LINE.test(l2)) throw new PassportError('MRZ_INVALID', 'a line is not 44 MRZ characters (TD3)');
  if (l1[0] !== 'P') throw new PassportError('MRZ_INVALID', 'not a TD3 passport MRZ');
  verify(l2.slice(0, 9), l2[9]!, 'document number');
  verify(l2.slice(13, 19), l2[19]!, 'date of birth');
  verify(l2.slice(21, 27), l2[27]!, 'date of expiry');
  verify(l2.slice(28, 42), l2[42]!, 'optional data', true);
  verify(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43), l2[43]!, 'composite');
  validDate(l2.slice(13, 19), 'date of birth');
  validDate(l2.slice(21, 27), 'date of expiry');
  return {
    lines: [l1, l2],
    documentCode: l1.slice(0, 2).replace(/<+$/, ''),
    issuingState: l1.slice(2, 5).replace(/<+$/, ''),
    documentNumber: l2.slice(0, 9).replace(/<+$/, ''),
    nationality: l2.slice(10, 13).replace(/<+$/, ''),
    birthDate: l2.slice(13, 19),
    sex: l2[20]!,
    expiryDate: l2.slice(21, 27),
    optionalData: l2.slice(28, 42),
  };
}

/**
 * The access-key input of BAC and PACE (Part 11 §9.7.2 / §4.3): document number with its
 * check digit, date of birth with its check digit, date of expiry with its check digit.
 */
export function mrzKeyInput(m: Pick<Mrz, 'lines'>): string {
  const l2 = m.lines[1];
  return l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 28);
}

/**
 * Whether the document is expired on `nowMs` (UTC). TD3 expiry years are read as 20YY:
 * a passport's ten-year validity never reaches back to 19YY for documents in service.
 */
export function isExpired(m: Pick<Mrz, 'expiryDate'>, nowMs: number): boolean {
  const y = 2000 + Number(m.expiryDate.slice(0, 2));
  const mo = Number(m.expiryDate.slice(2, 4));
  const d = Number(m.expiryDate.slice(4, 6));
  const endOfExpiryDay = Date.UTC(y, mo - 1, d + 1);
  return nowMs >= endOfExpiryDay;
}
