import { z } from 'zod';

const ms = (d: number) => z.number().int().positive().default(d);

/**
 * The arrival counter's camera station (`counter` profile, issue 15 §4): the officer's login,
 * the capture, and the arrival records the central system collects.
 */
export const counterSection = z
  .strictObject({
    /** Officer credentials (the technician design, cli/credentials.ts), a file of their own: being in it is the officer role. */
    officerCredentialsPath: z.string().default('var/keys/officers.json'),
    /** Consecutive failed logins of one officer before that officer is locked out. */
    maxFailedLogins: z.number().int().min(1).max(20).default(5),
    /** Failed logins, any officer, before every login is locked out (stops id spraying). */
    maxFailedLoginsGlobal: z.number().int().min(1).max(200).default(20),
    lockoutMs: ms(15 * 60_000),
    /** An officer session ends after this long without an action. */
    sessionIdleMs: ms(15 * 60_000),
    /** Live frames judged per capture; the best compliant one is kept. */
    framesPerCapture: z.number().int().min(1).max(10).default(4),
    /** Wait for one camera frame before the capture gives up. */
    frameTimeoutMs: ms(3000),
    /** Arrival records (encrypted portrait + decision) not collected by central within this are deleted. */
    arrivalLifeMs: ms(72 * 3600_000),
    arrivalStorePath: z.string().default('var/lib/egate/arrivals.db'),
    arrivalKeyPath: z.string().default('var/keys/arrivals.key'),
    /** The central system's arrival-collection public key (P-256 SPKI PEM): records leave the counter sealed to it. */
    centralArrivalKeyPath: z.string().default('var/keys/central-arrivals.pem'),
  })
  .prefault({});

export type CounterConfig = z.infer<typeof counterSection>;
