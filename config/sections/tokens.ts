import { z } from 'zod';

export const tokensSection = z
  .strictObject({
    /** Directory of fleet decryption keys: one PKCS#8 PEM (mode 0600) per kid, file name = `<kid>.pem`. */
    fleetKeysDir: z.string().default('var/keys/fleet'),
    /** Issuer trust list (JSON: kid → P-256 public key JWK with validity dates and a withdrawn flag). */
    trustListPath: z.string().default('var/keys/trust-list.json'),
    /** Revoked credentials and holders (JSON: `{cti: [hex], sub: [text]}`); the gate refuses to start without it. */
    revocationListPath: z.string().default('var/keys/revocations.json'),
    /** Durable cache of used presentation nonces (SQLite, WAL), survives restarts. */
    replayCachePath: z.string().default('var/tokens/replay.sqlite'),
    /** Seconds a credential `exp` may be passed before it counts as expired. */
    clockSkewS: z.number().int().min(0).default(60),
    /** A presentation `iat` must lie within ± this many seconds of the gate clock. */
    presentationWindowS: z.number().int().min(1).default(30),
    /** Inputs longer than this many bytes are MALFORMED before any decoding. */
    maxInputBytes: z.number().int().positive().default(4096),
  })
  .prefault({});

export type TokensConfig = z.infer<typeof tokensSection>;
