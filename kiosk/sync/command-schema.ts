import { z } from 'zod';

/** Central commands by type; anything else is refused as CMD_UNSUPPORTED. */
export const COMMAND_TYPES = ['set_mode', 'replace_trust_list', 'revoke', 'revoke_visas', 'upsert_enrolments', 'delete_enrolments', 'allow_update'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export const COMMAND_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const sub = z.string().min(1).max(128);

const envelope = {
  /** Unique per command; echoed in the result and remembered to refuse a replay. */
  id: z.string().regex(COMMAND_ID),
  /** Issued at, seconds since the epoch (the freshness window is config sync.commandWindowS). */
  iat: z.number().int().nonnegative(),
  /** The gate this command is for, or "*" for every gate that trusts the central key. */
  gate: z.string().min(1).max(32),
};

/**
 * The signed payload (UTF-8 JSON inside the COSE_Sign1). Templates travel as base64 of 512
 * little-endian float32 values and go straight into the sealed reference store.
 */
export const commandSchema = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('set_mode'), args: z.object({ mode: z.enum(['in_service', 'out_of_service', 'maintenance']) }).strict() }).strict(),
  z.object({ ...envelope, type: z.literal('replace_trust_list'), args: z.object({ trustList: z.record(z.string(), z.unknown()) }).strict() }).strict(),
  z
    .object({
      ...envelope,
      type: z.literal('revoke'),
      args: z
        .object({
          /** replace: the list becomes exactly this; extend: these entries are added. */
          mode: z.enum(['replace', 'extend']),
          cti: z.array(z.string()).max(100_000).default([]),
          sub: z.array(sub).max(100_000).default([]),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      ...envelope,
      type: z.literal('upsert_enrolments'),
      args: z
        .object({
          references: z
            .array(z.object({ sub, template: z.string().max(4096), quality: z.record(z.string(), z.unknown()).nullable().optional() }).strict())
            .min(1)
            .max(1000),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      ...envelope,
      type: z.literal('revoke_visas'),
      /** e-Visa numbers (docs/evisa.md); replace: the list becomes exactly these; extend: these are added. */
      args: z.object({ mode: z.enum(['replace', 'extend']), visas: z.array(z.string().regex(/^[A-Z0-9]{6,20}$/)).max(1_000_000) }).strict(),
    })
    .strict(),
  z.object({ ...envelope, type: z.literal('delete_enrolments'), args: z.object({ subs: z.array(sub).min(1).max(10_000) }).strict() }).strict(),
  /** Staged rollout (central/rollout*): the gate may install signed releases up to this TUF targets version. */
  z
    .object({ ...envelope, type: z.literal('allow_update'), args: z.object({ targetsVersion: z.number().int().positive(), release: z.string().min(1).max(64) }).strict() })
    .strict(),
]);

export type Command = z.infer<typeof commandSchema>;
