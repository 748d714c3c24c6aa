import { z } from 'zod';

const mrzReader = z.discriminatedUnion('kind', [
  /** A swipe/page reader on a serial line sending each MRZ line followed by `suffix`. */
  z.strictObject({ kind: z.literal('serial'), port: z.string().min(1), baudRate: z.number().int().positive().default(9600), suffix: z.string().min(1).default('\r') }),
  z.strictObject({ kind: z.literal('simulated') }),
]);

/**
 * The Express e-Channel's passport reader and checks (epassport.md). Trust material is
 * loaded once at start-up; a CRL no trusted CSCA signed makes the configuration invalid.
 */
export const passportSection = z
  .strictObject({
    /** Contactless chip reader: `pcsc` (pcscd) or the simulated chip. */
    chipReader: z.enum(['simulated', 'pcsc']).default('simulated'),
    /** Part of the PC/SC reader name to use (first reader when absent). */
    pcscReaderName: z.string().optional(),
    mrzReader: mrzReader.default({ kind: 'simulated' }),
    /** Milliseconds the second MRZ line may follow the first. */
    mrzPairWindowMs: z.number().int().positive().default(1500),
    /** Issuing states (ICAO three-letter codes, e.g. "HKG", "D") eligible for this lane; empty accepts any. */
    eligibleStates: z.array(z.string().regex(/^[A-Z<]{1,3}$/)).default([]),
    /** CSCA certificates: PEM or DER files, or directories of them. */
    cscaPaths: z.array(z.string()).default(['var/passport/csca']),
    /** CSCA master lists (DER CMS, ICAO 9303-12): each must be signed under a CSCA from `cscaPaths`. */
    masterListPaths: z.array(z.string()).default([]),
    /** CRLs of those CSCAs: PEM or DER files, or directories of them. */
    crlPaths: z.array(z.string()).default(['var/passport/crl']),
    /** Reject a Document Signer whose CSCA has no CRL loaded. */
    requireCrl: z.boolean().default(false),
    /** Use PACE when the chip offers it in EF.CardAccess (else BAC only). */
    pace: z.boolean().default(true),
    /** Bytes per READ BINARY (223 keeps a secure-messaging answer inside a short APDU). */
    readChunk: z.number().int().min(16).max(231).default(223),
  })
  .prefault({});

export type PassportConfig = z.infer<typeof passportSection>;
