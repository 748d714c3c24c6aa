import { z } from 'zod';

export const journalSection = z
  .strictObject({
    path: z.string().default('var/journal.sqlite'),
    /** Secret for subject pseudonyms (HMAC-SHA256); created with mode 0600 on first start. */
    secretPath: z.string().default('var/keys/gate-secret'),
    /** Delivered events older than this are purged. */
    retentionDays: z.number().int().positive().default(90),
    /**
     * Key that signs the journal's checkpoints (P-256 PKCS#8 PEM, mode 0600, created on first
     * start with its public half at `<path>.pub.pem`). Kept apart from the journal file: see
     * docs/decisions.md "Journal checkpoints". Empty string: no checkpoints.
     */
    checkpointKeyPath: z.string().default('var/keys/checkpoint.key'),
    /** A checkpoint after this many events... */
    checkpointEveryEvents: z.number().int().min(1).max(100_000).default(100),
    /** ...and at least this often while events come in. */
    checkpointEveryMs: z.number().int().min(1000).default(60_000),
  })
  .prefault({});

export const enrolmentSection = z
  .strictObject({
    path: z.string().default('var/enrolment.sqlite'),
    /** AES-256-GCM key for templates at rest; created with mode 0600 on first start. */
    keyPath: z.string().default('var/keys/enrolment.key'),
  })
  .prefault({});

export const syncSection = z
  .strictObject({
    enabled: z.boolean().default(false),
    url: z.string().default('mqtt://127.0.0.1:1883'),
    site: z.string().default('LAB'),
    batchSize: z.number().int().min(1).max(1000).default(100),
    backoffMs: z.strictObject({ min: z.number().int().positive().default(500), max: z.number().int().positive().default(30000) }).prefault({}),
    outboxAlarmBytes: z.number().int().positive().default(512 * 1024 * 1024),
    centralKeyPath: z.string().default('var/keys/central.pub.pem'),
    /**
     * The gate's own P-256 key pair (PKCS#8 PEM, 0600, created on first start; public half at
     * `<path>.pub.pem`): central commands carrying templates or identity numbers are encrypted to it.
     */
    gateKeyPath: z.string().default('var/keys/gate-command.key'),
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    /** MQTT client id; default `egate-{site}-{gate}` (one session per gate: a second copy takes the session over). */
    clientId: z.string().min(1).max(128).optional(),
    /** Retained status is republished at least this often (and at once when mode, devices or the outbox alarm change). */
    statusIntervalMs: z.number().int().positive().default(60_000),
    /** The outbox also looks for unsent events this often (events appended by another process, a missed wake-up). */
    pollMs: z.number().int().positive().default(1000),
    /** A command whose `iat` is further than this from the gate's clock (either way) is refused as stale. */
    commandWindowS: z.number().int().positive().default(300),
    /** Largest command accepted (a trust list or an enrolment batch); larger ones are refused unread. */
    maxCommandBytes: z.number().int().positive().default(1024 * 1024),
    /** Ids of accepted commands, remembered durably so a replay is refused after a restart too. */
    commandLedgerPath: z.string().default('var/sync-commands.sqlite'),
    /** Broker session kept this long after a disconnect, so commands sent while the gate is away wait for it. */
    sessionExpiryS: z.number().int().nonnegative().default(300),
    keepaliveS: z.number().int().min(5).max(3600).default(30),
    connectTimeoutMs: z.number().int().positive().default(10_000),
  })
  .prefault({});

export const localSection = z
  .strictObject({
    displayHost: z.string().default('127.0.0.1'),
    displayPort: z.number().int().min(0).max(65535).default(8080),
    /** Display pages following the gate at once; one more is answered 503 (every stream holds a socket and a buffer). */
    displayMaxClients: z.number().int().min(1).max(256).default(8),
    /** Technician CLI socket (mode 0600; its directory must not be writable by others). */
    socketPath: z.string().default('var/egate.sock'),
    /**
     * Technician credentials (id → scrypt hash of a PIN or key file), written by
     * `egate technician add`. Failed-login counters live beside it in `<path>.lockout.json`
     * so a restart does not reset a lockout.
     */
    technicianCredentialsPath: z.string().default('var/keys/technicians.json'),
    /** Consecutive failed logins of one technician before that technician is locked out. */
    loginMaxFailures: z.number().int().min(1).max(100).default(5),
    /** Failed logins on the socket, any technician, before every login is locked out (stops id spraying). */
    loginSocketMaxFailures: z.number().int().min(1).max(1000).default(20),
    /** How long a lockout lasts. */
    loginLockoutMs: z.number().int().positive().default(15 * 60_000),
    /** A CLI session ends after this long without a command. */
    cliSessionIdleMs: z.number().int().positive().default(15 * 60_000),
    /**
     * File the gate's log goes to, for `egate logs`; absent means the log goes to the process's
     * stdout (journald under systemd) and `egate logs` says where to look.
     */
    logFile: z.string().optional(),
  })
  .prefault({});
