import { z } from 'zod';

/**
 * Signed updates (issue 18, kiosk/update/): where the gate's TUF repository is, how often the
 * launcher looks for a release, and the bounds of an install. The lane is out of service from
 * the moment the old release has drained (no crossing in progress, doors closed) until the new
 * one passed its health check — at most `maxOutOfServiceMs`, else the switch is rolled back.
 */
export const updateSection = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Base URL of the repository (<url>/metadata/, <url>/targets/); any static HTTP server. */
    repositoryUrl: z.string().url().optional(),
    /**
     * `central`: install a release only once the central system allowed this gate up to its
     * targets version (staged rollout, command allow_update); `newest`: whatever TUF verifies.
     */
    rollout: z.enum(['central', 'newest']).default('central'),
    checkIntervalMs: z.number().int().min(60_000).default(3_600_000),
    fetchTimeoutMs: z.number().int().positive().default(30_000),
    /** The two release slots and their pointers; default <dataDir>/releases. */
    installRoot: z.string().optional(),
    /** The lane's out-of-service bound per update (drained → new release healthy), N seconds of the issue. */
    maxOutOfServiceMs: z.number().int().positive().default(60_000),
    /** How long the running release may take to finish its crossing and close the lane. */
    drainTimeoutMs: z.number().int().positive().default(300_000),
    /** A stopping release gets SIGTERM, then SIGKILL after this. */
    stopTimeoutMs: z.number().int().positive().default(10_000),
  })
  .refine((u) => !u.enabled || u.repositoryUrl !== undefined, { message: 'update.enabled needs update.repositoryUrl', path: ['repositoryUrl'] })
  .prefault({});

export type UpdateConfig = z.infer<typeof updateSection>;
