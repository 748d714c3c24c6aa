import { join } from 'node:path';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import type { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import type { SimulatedMrzReader } from '../../drivers/mrz/twin.ts';
import { makePassports, type PassportKind } from '../make-passport.ts';
import type { Scenario, Traveller } from './scenario.ts';
import { VISA_NATIONALITY } from './express-visas.ts';

/** Which test passport each Express token kind stands for (scripts/make-passport.ts). */
const KIND: Record<string, PassportKind> = {
  passport: 'valid',
  'passport-jp2': 'valid-jp2',
  'passport-tampered': 'tampered-dg2',
  'passport-expired': 'expired-document',
  'passport-untrusted': 'untrusted-ds',
  'passport-no-chip': 'valid',
};

export interface PassportSet {
  /** Trust material for the gate's config: every visitor's issuing CSCA and its CRL. */
  cscaPaths: string[];
  crlPaths: string[];
  chipDirs: Map<Traveller, string>;
}

/**
 * Makes each visitor's test passport, its DG2 photo cut from the visitor's reference photo
 * (the chip holds the face the issuing state enrolled). Each visitor's passport comes from
 * its own test PKI, all of whose CSCAs the gate trusts — except the rogue CSCA that signs
 * the untrusted passports.
 */
export async function makeScenarioPassports(scenario: Scenario, photosDir: string, dir: string): Promise<PassportSet> {
  const set: PassportSet = { cscaPaths: [], crlPaths: [], chipDirs: new Map() };
  for (const [i, t] of scenario.travellers.entries()) {
    const kind = KIND[t.token];
    if (!kind) throw new Error(`${t.name}: ${t.token} is not a passport (the Express e-Channel reads passports)`);
    const out = join(dir, `visitor-${i + 1}`);
    const { pki, passports } = await makePassports(out, { photo: join(photosDir, t.reference[0]!), kinds: [kind], ...(t.visa ? { nationality: VISA_NATIONALITY } : {}) });
    set.cscaPaths.push(pki.cscaPem);
    set.crlPaths.push(pki.crlPem);
    set.chipDirs.set(t, passports.get(kind)!);
  }
  return set;
}

/** The visitor puts the passport on the reader: the MRZ is read optically and the chip comes into the field. */
export function passportPresenter(readers: { mrz: SimulatedMrzReader; chip: SimulatedChipReader }, set: PassportSet) {
  return async (t: Traveller): Promise<void> => {
    const image = loadChipImage(set.chipDirs.get(t)!);
    if (t.token !== 'passport-no-chip') readers.chip.insert(new SimulatedChip(image));
    readers.mrz.swipe(image.mrz);
  };
}

/** The visitor takes the passport back. */
export function takePassportBack(readers: { chip: SimulatedChipReader }): void {
  readers.chip.remove();
}
