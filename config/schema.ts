import { z } from 'zod';
import { cameraSection } from './sections/camera.ts';
import { collectionSection } from './sections/collection.ts';
import { corridorSection } from './sections/corridor.ts';
import { counterSection } from './sections/counter.ts';
import { doorSection } from './sections/door.ts';
import { dispenserSection } from './sections/dispenser.ts';
import { faceSection } from './sections/face.ts';
import { timingsSection } from './sections/gate.ts';
import { enrolmentSection, journalSection, localSection, syncSection } from './sections/journal.ts';
import { passportSection } from './sections/passport.ts';
import { photoKioskSection } from './sections/photo-kiosk.ts';
import { portraitSection } from './sections/portrait.ts';
import { printerSection } from './sections/printer.ts';
import { readersSection } from './sections/readers.ts';
import { registrationSection } from './sections/registration.ts';
import { tokensSection } from './sections/tokens.ts';
import { visaSection } from './sections/visa.ts';
import { updateSection } from './sections/update.ts';

export const CONFIG_VERSION = 1;

/**
 * The gate's whole configuration. Types and defaults both come from this one schema, so
 * they cannot drift apart. Parsed once at start-up (config/load.ts); the rest of the gate
 * receives typed values and never reads files or environment for configuration.
 */
/** Every seat profile the engine runs; config/profiles/<name>.json holds a profile's defaults where it has any. */
export const SEAT_PROFILES = ['pedestrian', 'vehicle', 'express', 'walkthrough', 'registration', 'collection', 'photo', 'counter'] as const;
export type SeatProfile = (typeof SEAT_PROFILES)[number];

export const configSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
  gate: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or -, at most 32').default('SIM-01'),
  /**
   * Which seat this controller runs: an e-Channel (residents' pedestrian lane, vehicle lane, visitors'
   * Express lane, walk-through corridor) or a kiosk/counter profile of the same engine.
   */
  profile: z.enum(SEAT_PROFILES).default('pedestrian'),
  /** The service code this gate checks in credentials (tokens.md): ECH pedestrian, VEH vehicle. */
  service: z.string().default('ECH'),
  dataDir: z.string().default('var'),
  door: doorSection,
  camera: cameraSection,
  readers: readersSection,
  face: faceSection,
  timings: timingsSection,
  tokens: tokensSection,
  journal: journalSection,
  enrolment: enrolmentSection,
  sync: syncSection,
  /** Express e-Channel: MRZ and chip readers, CSCA trust material (epassport.md). */
  passport: passportSection,
  /** Express e-Channel: e-Visas (VDS-NC seals) for the nationalities that need one (docs/evisa.md). */
  visa: visaSection,
  /** Passport-photo compliance: the lowest score each rule accepts (kiosk/portrait, issue 15). */
  portrait: portraitSection,
  /** Passport-application photo kiosk: scanner, timings, fee and payment (`photo` profile, issue 15). */
  photoKiosk: photoKioskSection,
  /** Local interfaces: the traveller display page and the technician CLI socket. */
  local: localSection,
  /** Signed updates: TUF repository, A/B release slots, install bounds (issue 18). */
  update: updateSection,
  /** Kiosks: the receipt printer (ESC/POS) for slips (issue 14). */
  printer: printerSection,
  /** Collection kiosks: the card dispenser with capture bin on the kiosk's Modbus controller (docs/kiosk-io.md). */
  dispenser: dispenserSection,
  /** Walk-through e-Channel: corridor length, its 3–5 cameras, decision rule and 1:N operating point (issue 19). */
  corridor: corridorSection,
  /** Arrival counter camera station: officer login, capture, arrival records (issue 15 §4). */
  counter: counterSection,
  /** Visitor self-registration kiosk: face tries, frames per capture, result time (issue 14 §3). */
  registration: registrationSection,
  /** Identity-card collection kiosk: the resident's limits for each step (issue 14 §4). */
  collection: collectionSection,
}).superRefine((c, ctx) => {
  // The kiosk must retain an untaken card itself, well before the controller's backstop does.
  if (c.collection.takeLimitMs > c.dispenser.mouthLimitS * 500)
    ctx.addIssue({ code: 'custom', path: ['collection', 'takeLimitMs'], message: `must be at most half of dispenser.mouthLimitS (${c.dispenser.mouthLimitS} s): the kiosk retains an untaken card before the controller's backstop does` });
});

export type GateConfig = z.infer<typeof configSchema>;
