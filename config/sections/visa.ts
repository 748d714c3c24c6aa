import { z } from 'zod';
import { VISA_SIGNER_EKU } from '../../kiosk/visa/certificate.ts';

const state = z.string().regex(/^[A-Z<]{3}$/, 'ICAO three-letter code');

/**
 * e-Visas at the Express e-Channel (docs/evisa.md): which visitors must scan one after the
 * passport, the roots barcode signers chain to, the revoked visa numbers. With no
 * nationality listed the lane asks nobody for a visa and loads nothing.
 */
export const visaSection = z
  .object({
    /** Nationalities (MRZ three-letter codes) that need a visa: such visitors scan their e-Visa QR after the passport. */
    requiredNationalities: z.array(state).default([]),
    /** Per issuing state, PEM/DER files or directories of the roots its barcode signers chain to. */
    roots: z.record(state, z.array(z.string().min(1)).min(1)).default({}),
    /** Revoked visa numbers (JSON `{visas: [..]}`), written by the central `revoke_visas` command; absent means none. */
    revocationListPath: z.string().default('var/visa/revocations.json'),
    /** Extended key usage a barcode signer must carry (the department's OID). */
    signerEku: z.string().regex(/^\d+(\.\d+)+$/).default(VISA_SIGNER_EKU),
    /** The visas' dates are days of the issuing state: its offset from UTC, minutes. */
    utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
    /** How long the lane waits for the e-Visa QR after the passport was verified. */
    scanWaitMs: z.number().int().positive().default(15000),
  })
  .strict()
  .prefault({});

export type VisaConfig = z.infer<typeof visaSection>;
