import { z } from 'zod';

/** Crossing timings of gate-flow.md; all in milliseconds. */
export const timingsSection = z
  .strictObject({
    tokenBudgetMs: z.number().int().positive().default(1000),
    refusalDisplayMs: z.number().int().positive().default(3000),
    entryTimeoutMs: z.number().int().positive().default(10000),
    tailgateResolveMs: z.number().int().positive().default(20000),
    /** Occupancy must stay at one this long before a tailgated crossing resumes. */
    tailgateSettleMs: z.number().int().positive().default(1500),
    faceBudgetMs: z.number().int().positive().default(8000),
    exitTimeoutMs: z.number().int().positive().default(10000),
    healthyBeforeServiceMs: z.number().int().positive().default(5000),
    /** Vehicle lane: how long a driver has to present a token after the car stops. */
    vehicleTokenBudgetMs: z.number().int().positive().default(30000),
    vehiclePassTimeoutMs: z.number().int().positive().default(30000),
  })
  .prefault({});

export type Timings = z.infer<typeof timingsSection>;
