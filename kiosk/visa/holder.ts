import type { Holder } from './seal-schema.ts';

/** The holder as the passport's chip states it (DG1, equal to the optical MRZ once Passive Authentication passed). */
export interface PassportHolder {
  documentNumber: string;
  /** The MRZ name field: primary<<secondary identifiers, '<'-filled. */
  name: string;
  /** YYMMDD as in the MRZ. */
  birthDate: string;
  nationality: string;
}

const trimFill = (s: string): string => s.replace(/<+$/, '');

/** The MRZ name field of a TD3's first line (characters 6–44). */
export function mrzName(line1: string): string {
  return trimFill(line1.slice(5, 44));
}

/**
 * Which of the holder's fields differ between the seal and the passport (empty: the seal is
 * for this passport). Names compare as MRZ text, filler-trimmed; a seal name longer than the
 * MRZ field matches when the MRZ holds its truncation (ICAO 9303-3 truncates long names).
 */
export function holderMismatches(seal: Holder, passport: PassportHolder): string[] {
  const out: string[] = [];
  if (trimFill(seal.i) !== trimFill(passport.documentNumber)) out.push('passport_number');
  const sealName = trimFill(seal.n);
  const chipName = trimFill(passport.name);
  if (sealName !== chipName && !(chipName.length >= 30 && sealName.startsWith(chipName))) out.push('name');
  if (seal.dob.slice(2).replaceAll('-', '') !== passport.birthDate) out.push('date_of_birth');
  if (seal.nat !== passport.nationality) out.push('nationality');
  return out;
}
