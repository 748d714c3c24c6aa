import { z } from 'zod';

const ms = (d: number) => z.number().int().positive().default(d);

/**
 * The passport-application photo kiosk (`photo` profile, issue 15 §2–3): its scanner, its
 * applicant timings, the fee and how it is paid. Amounts are integer cents (kiosk/payment/money.ts).
 */
export const photoKioskSection = z
  .strictObject({
    /** Document scanner: the SANE device (scanimage -d) or the twin. */
    scanner: z
      .strictObject({
        driver: z.enum(['simulated', 'sane']).default('simulated'),
        device: z.string().min(1).optional(),
        /** 300 dpi gives a 35 mm print about 410 px across: over the 90 px between the eyes ICAO asks for. */
        dpi: z.number().int().min(150).max(1200).default(300),
        /** Where on the glass the print lies (mm from the top-left corner): the tray guides it there. */
        area: z.strictObject({ x: z.number().min(0), y: z.number().min(0), width: z.number().min(5), height: z.number().min(5) }).prefault({ x: 0, y: 0, width: 100, height: 100 }),
      })
      .prefault({}),
    timings: z
      .strictObject({
        promptTimeoutMs: ms(60_000),
        scanBudgetMs: ms(45_000),
        checkBudgetMs: ms(20_000),
        faceBudgetMs: ms(30_000),
        resultDisplayMs: ms(15_000),
        maxScanAttempts: z.number().int().min(1).max(5).default(3),
        maxFaceAttempts: z.number().int().min(1).max(5).default(3),
        /** Live frames per face attempt (PAD, quality and the 1:1 on each; the best one decides). */
        framesPerAttempt: z.number().int().min(1).max(10).default(3),
      })
      .prefault({}),
    /** The application fee (HK$ in cents). */
    feeCents: z.number().int().positive().max(9_999_999).default(37_000),
    /** Operating point of the 1:1 between the scanned print and the live face (docs/decisions.md: a scan is a photo reference). */
    operatingPoint: z.string().min(1).default('fmr_1e-3'),
    payment: z
      .strictObject({
        methods: z.array(z.enum(['fps', 'octopus'])).min(1).default(['fps', 'octopus']),
        /** How long the applicant has to pay once the code is shown or the card is asked for. */
        budgetMs: ms(120_000),
        retryMs: ms(2_000),
        gateway: z.enum(['simulated', 'http']).default('simulated'),
        gatewayUrl: z.string().url().optional(),
        fps: z
          .strictObject({
            proxyKind: z.enum(['fps_id', 'mobile', 'email']).default('fps_id'),
            proxy: z.string().min(1).default('123456789'),
            mcc: z.string().regex(/^\d{4}$/).default('9399'),
            merchantName: z.string().min(1).max(25).default('IMMIGRATION DEPT'),
            merchantCity: z.string().min(1).max(15).default('HONG KONG'),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .prefault({});

export type PhotoKioskConfig = z.infer<typeof photoKioskSection>;
