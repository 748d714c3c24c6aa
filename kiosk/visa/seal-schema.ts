import { z } from 'zod';

/**
 * The VDS-NC seal of an e-Visa (ICAO TR "VDS-NC", use case type `icao.visa`), parsed
 * strictly: an unknown key anywhere is a schema failure, not something to ignore, so the
 * signed bytes can hold nothing the checks did not look at. Limits are the project's
 * (docs/evisa.md §3); the standard leaves them open.
 */

/** Largest seal accepted, in UTF-8 bytes, checked before JSON.parse (a QR version 40-M holds 2331). */
export const SEAL_MAX_BYTES = 2048;

const date = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD');
/** base64url without padding (RFC 4648 §5), as VDS-NC writes `cer` and `sigvl`. */
const b64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, 'base64url');

/** Holder as printed on the passport: the MRZ name field, passport number, nationality, date of birth. */
export const holderSchema = z
  .object({
    /** Name as in the passport MRZ: primary<<secondary identifiers, A–Z and '<' only. */
    n: z.string().min(1).max(39).regex(/^[A-Z<]+$/),
    /** Date of birth. */
    dob: date,
    /** Passport number as in the MRZ (fillers '<' allowed). */
    i: z.string().min(1).max(9).regex(/^[A-Z0-9<]+$/),
    /** Nationality, ICAO three-letter code ('<'-padded when shorter). */
    nat: z.string().regex(/^[A-Z<]{3}$/),
    sex: z.enum(['M', 'F', 'X']).optional(),
  })
  .strict();

/** The visa message (`data.msg`) of `icao.visa` version 1. */
export const visaMessageSchema = z
  .object({
    /** Visa number: the revocation list names visas by it. */
    vn: z.string().regex(/^[A-Z0-9]{6,20}$/),
    /** Visa type or category as the department names it (e.g. "VISIT", "TRANSIT"). */
    vt: z.string().min(1).max(30).regex(/^[A-Z0-9 -]+$/),
    pid: holderSchema,
    /** First and last day of validity, both included, calendar dates in the issuing state. */
    vf: date,
    vu: date,
    /** Number of entries: a count, or "M" for multiple. */
    ne: z.union([z.number().int().min(1).max(99), z.literal('M')]),
    /** Longest stay per entry, days. */
    dos: z.number().int().min(1).max(3650),
    /** Conditions of stay, free text printed on the visa. */
    cond: z.string().max(200).optional(),
  })
  .strict()
  .refine((m) => m.vf <= m.vu, { message: 'valid from is after valid until', path: ['vf'] });

export const headerSchema = z
  .object({
    t: z.string().min(1).max(32),
    v: z.number().int().min(0).max(999),
    is: z.string().min(1).max(3),
  })
  .strict();

/**
 * The whole seal. The header is parsed loosely here (its values are the header layer's
 * business) and the message strictly only once the header says `icao.visa` v1.
 */
export const sealSchema = z
  .object({
    data: z.object({ hdr: headerSchema, msg: z.record(z.string(), z.unknown()) }).strict(),
    sig: z
      .object({
        alg: z.string().min(1).max(16),
        /** The barcode signer's certificate, DER, base64url. */
        cer: b64url(1400),
        /** The signature over the canonical `data`, IEEE P1363 r‖s, base64url. */
        sigvl: b64url(200),
      })
      .strict(),
  })
  .strict();

export type Seal = z.infer<typeof sealSchema>;
export type VisaMessage = z.infer<typeof visaMessageSchema>;
export type Holder = z.infer<typeof holderSchema>;
