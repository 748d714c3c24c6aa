import { z } from 'zod';

const ms = (d: number) => z.number().int().positive().default(d);

/**
 * The identity-card collection kiosk (`collection` profile, issue 14 §4): how long the resident
 * has for each step. The take limit must stay inside the dispenser controller's own backstop
 * (`dispenser.mouthLimitS`), which retains a card left in the mouth: checked in configSchema.
 */
export const collectionSection = z
  .strictObject({
    /** The resident must take the presented card within this; then the kiosk retains it. */
    takeLimitMs: z.number().int().min(1000).max(30_000).default(30_000),
    /** How long the result (card issued, refusal) stays on the screen. */
    resultDisplayMs: ms(5_000),
    /** How long the internal reader may take to deliver the card after the fetch. */
    cardReadMs: ms(5_000),
    /** Live attempts before the face step gives up (FACE_TIMEOUT). */
    faceAttempts: z.number().int().min(1).max(5).default(3),
    /** The face step's limit on the kiosk's clock. */
    faceMs: ms(30_000),
  })
  .prefault({});

export type CollectionConfig = z.infer<typeof collectionSection>;
