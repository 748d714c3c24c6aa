import type { SeatProfile } from './schema.ts';

/**
 * Which trust material a seat profile reads. A kiosk that never verifies a credential (the
 * passport-photo kiosk, the counter, the registration kiosk) must start without a token trust
 * list; one that checks e-passports needs the states' CSCA certificates. The lanes keep the
 * token files they have always required (residents' tokens and cards; the Express lane's
 * central commands about tokens).
 */
export interface ProfileNeeds {
  /** Token trust list, revocation list and fleet keys (tokens.md credentials, collection slips). */
  tokens: boolean;
  /** CSCA certificates, CRLs and master lists (epassport.md Passive Authentication). */
  passports: boolean;
}

const NEEDS: Record<SeatProfile, ProfileNeeds> = {
  pedestrian: { tokens: true, passports: false },
  vehicle: { tokens: true, passports: false },
  express: { tokens: true, passports: true },
  walkthrough: { tokens: true, passports: false },
  registration: { tokens: false, passports: true },
  collection: { tokens: true, passports: false },
  photo: { tokens: false, passports: false },
  counter: { tokens: false, passports: true },
};

export function profileNeeds(profile: SeatProfile): ProfileNeeds {
  return NEEDS[profile];
}
