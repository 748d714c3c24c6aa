import { z } from 'zod';

export const tokensSection = z
  .object({
    /** Directory of fleet decryption keys: one PEM (mode 0600) per kid, file name = kid. */
    fleetKeysDir: z.string().default('var/keys/fleet'),
    /** Issuer trust list (JSON: kid → P-256 public key JWK with validity dates). */
    trustListPath: z.string().default('var/keys/trust-list.json'),
    revocationListPath: z.string().default('var/keys/revocations.json'),
    clockSkewS: z.number().int().min(0).default(60),
    presentationWindowS: z.number().int().min(1).default(30),
    maxInputBytes: z.number().int().positive().default(4096),
  })
  .prefault({});

export type TokensConfig = z.infer<typeof tokensSection>;
