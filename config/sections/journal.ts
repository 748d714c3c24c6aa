import { z } from 'zod';

export const journalSection = z
  .object({
    path: z.string().default('var/journal.sqlite'),
    /** Secret for subject pseudonyms (HMAC-SHA256); created with mode 0600 on first start. */
    secretPath: z.string().default('var/keys/gate-secret'),
    /** Delivered events older than this are purged. */
    retentionDays: z.number().int().positive().default(90),
  })
  .prefault({});

export const enrolmentSection = z
  .object({
    path: z.string().default('var/enrolment.sqlite'),
    /** AES-256-GCM key for templates at rest; created with mode 0600 on first start. */
    keyPath: z.string().default('var/keys/enrolment.key'),
  })
  .prefault({});

export const syncSection = z
  .object({
    enabled: z.boolean().default(false),
    url: z.string().default('mqtt://127.0.0.1:1883'),
    site: z.string().default('LAB'),
    batchSize: z.number().int().min(1).max(1000).default(100),
    backoffMs: z.object({ min: z.number().int().positive().default(500), max: z.number().int().positive().default(30000) }).prefault({}),
    outboxAlarmBytes: z.number().int().positive().default(512 * 1024 * 1024),
    centralKeyPath: z.string().default('var/keys/central.pub.pem'),
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
  })
  .prefault({});

export const localSection = z
  .object({
    displayHost: z.string().default('127.0.0.1'),
    displayPort: z.number().int().min(0).max(65535).default(8080),
    socketPath: z.string().default('var/egate.sock'),
    technicianCredentialsPath: z.string().default('var/keys/technicians.json'),
  })
  .prefault({});
