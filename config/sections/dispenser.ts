import { z } from 'zod';
import { modbusLineFields } from './modbus-line.ts';

/** The collection kiosk's card dispenser on its Modbus controller (docs/kiosk-io.md). */
export const dispenserSection = z
  .strictObject({
    /** `modbus`: the real master on a serial line. `simulated`: the in-process dispenser plant. */
    driver: z.enum(['modbus', 'simulated']).default('simulated'),
    ...modbusLineFields,
    pollIntervalMs: z.number().int().min(20).max(500).default(100),
    heartbeatIntervalMs: z.number().int().min(50).max(500).default(250),
    reconnectIntervalMs: z.number().int().positive().default(500),
    /** watchdog_ms written to the controller: a hung kiosk retains the card within this (kiosk-io.md). */
    watchdogMs: z.number().int().min(1).max(65535).default(3000),
    /** The controller's own backstop for a card left in the mouth (mouth_limit_s); the kiosk's limit is shorter. */
    mouthLimitS: z.number().int().min(1).max(600).default(60),
    /** A move (fetch, present, retain) that has not ended by then is DISPENSER_TIMEOUT. */
    moveTimeoutMs: z.number().int().positive().default(5000),
  })
  .prefault({});

export type DispenserConfig = z.infer<typeof dispenserSection>;
