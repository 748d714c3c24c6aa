import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CentralError } from './errors.ts';

const ms = z.number().int().positive();

/**
 * The central service's configuration, parsed once at start; unknown keys are errors (a
 * misspelt retention setting must not silently keep data forever).
 */
export const centralConfigSchema = z
  .object({
    /** This instance's name (systemd instance %i): MQTT client id, audit, logs. */
    instance: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).default('c1'),
    mqtt: z
      .object({
        url: z.string().url(),
        /** Shared-subscription group: instances in one group split the fleet's event batches. */
        group: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).default('egate-central'),
        keepaliveS: z.number().int().min(5).max(600).default(30),
        /** Messages taken into one PostgreSQL transaction (their PUBACKs follow its commit). */
        maxBatchMessages: z.number().int().min(1).max(5000).default(200),
        /** MQTT 5 receive maximum: unacknowledged QoS 1 messages the broker may push at once. */
        receiveMaximum: z.number().int().min(1).max(65535).default(1000),
      })
      .strict(),
    db: z.object({ url: z.string().min(1), poolSize: z.number().int().min(2).max(64).default(6) }).strict(),
    retention: z
      .object({
        /** Events (and their partitions) older than this many days are dropped. */
        eventDays: z.number().int().min(1).max(3650).default(90),
        /** Closed alarms, command results and audit rows are kept this long. */
        recordDays: z.number().int().min(1).max(3650).default(400),
        /** Day partitions kept ready ahead of today. */
        partitionsAhead: z.number().int().min(1).max(60).default(7),
        purgeEveryMs: ms.default(3_600_000),
      })
      .strict()
      .default({ eventDays: 90, recordDays: 400, partitionsAhead: 7, purgeEveryMs: 3_600_000 }),
    /**
     * Broker→instance transit bound: a batch ahead of a gate's chain is a gap once every live
     * instance has been caught up this long after it arrived (however long their queues were).
     */
    gapGraceMs: ms.default(10_000),
    /** A gate online but with no status or event for this long raises GATE_SILENT. */
    silentAfterMs: ms.default(120_000),
    /**
     * Counter arrival records (issue 15 §4): the central arrival private key (PEM PKCS#8 P-256,
     * mode 0600). Absent: central does not collect them; they stay sealed at the counters until they expire.
     */
    arrivals: z.object({ privateKeyPath: z.string().min(1) }).strict().optional(),
    console: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8480),
        /** scrypt hashes of officers, supervisors and technicians (central/console/users.ts). */
        usersPath: z.string().min(1),
        sessionMinutes: z.number().int().min(1).max(1440).default(480),
      })
      .strict(),
    commands: z
      .object({
        /** PEM PKCS#8 P-256 private key (mode 0600): the central command key in a file. */
        keyPath: z.string().min(1).optional(),
        /** Or the key on a PKCS#11 token (an HSM; the private key never leaves it). PIN: EGATE_PKCS11_PIN. */
        pkcs11: z
          .object({ module: z.string().min(1), tokenLabel: z.string().min(1).max(32), keyLabel: z.string().min(1).max(64) })
          .strict()
          .optional(),
        /** Groups of gates a command may target by name, e.g. {"LMC-express": ["LMC-A-01", …]}. */
        groups: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), z.array(z.string().min(1).max(32)).min(1)).default({}),
      })
      .strict()
      .refine((c) => (c.keyPath === undefined) !== (c.pkcs11 === undefined), { message: 'name the central command key by exactly one of keyPath and pkcs11' }),
  })
  .strict();

export type CentralConfig = z.infer<typeof centralConfigSchema>;
export type CentralConfigInput = z.input<typeof centralConfigSchema>;

export function parseCentralConfig(input: unknown): CentralConfig {
  const r = centralConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const where = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new CentralError('CENTRAL_CONFIG', `invalid central configuration: ${where}`);
}

export function loadCentralConfig(path: string): CentralConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CentralError('CENTRAL_CONFIG', `cannot read ${path}: ${(err as Error).message}`);
  }
  return parseCentralConfig(json);
}
