import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { KeyPair } from './cose-key.ts';
import { readPrivateKeyFile, writePrivateKeyFile } from './fleet-keys.ts';
import type { RevocationListJson } from './revocation-list.ts';
import type { TokenWorld } from './token-world.ts';
import type { TrustListJson } from './trust-list.ts';

/**
 * A token world on disk, laid out so a gate can point its config straight at it:
 *   fleet/<kid>.pem  → tokens.fleetKeysDir      trust-list.json  → tokens.trustListPath
 *   revocations.json → tokens.revocationListPath
 * plus issuer/<kid>.pem, device/device.pem and world.json, which only the tool reads.
 */
const worldJson = z.object({
  service: z.string(),
  issuer: z.string(),
  withdrawnIssuer: z.string(),
  rogueIssuer: z.string(),
  fleet: z.string(),
  enrolled: z.array(z.string()),
});

export function saveTokenWorld(w: TokenWorld, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const i of [w.issuer, w.withdrawnIssuer, w.rogueIssuer]) writePrivateKeyFile(join(dir, 'issuer'), i.kid, i.keys.privateKey);
  writePrivateKeyFile(join(dir, 'fleet'), w.fleet.kid, w.fleet.keys.privateKey);
  writePrivateKeyFile(join(dir, 'device'), 'device', w.device.privateKey);
  writeFileSync(join(dir, 'trust-list.json'), JSON.stringify(w.trustList, null, 2) + '\n');
  writeFileSync(join(dir, 'revocations.json'), JSON.stringify(w.revocations, null, 2) + '\n');
  const meta: z.infer<typeof worldJson> = {
    service: w.service, issuer: w.issuer.kid, withdrawnIssuer: w.withdrawnIssuer.kid, rogueIssuer: w.rogueIssuer.kid, fleet: w.fleet.kid, enrolled: w.enrolled,
  };
  writeFileSync(join(dir, 'world.json'), JSON.stringify(meta, null, 2) + '\n');
}

/** Reads a saved world back; `nowMs` is the time the tool issues and presents at. */
export function loadTokenWorld(dir: string, nowMs: number): TokenWorld {
  const meta = worldJson.parse(JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')));
  const pair = (sub: string, kid: string): KeyPair => {
    const privateKey = readPrivateKeyFile(join(dir, sub, `${kid}.pem`));
    return { privateKey, publicKey: createPublicKey(privateKey) };
  };
  return {
    nowMs,
    service: meta.service,
    issuer: { kid: meta.issuer, keys: pair('issuer', meta.issuer) },
    withdrawnIssuer: { kid: meta.withdrawnIssuer, keys: pair('issuer', meta.withdrawnIssuer) },
    rogueIssuer: { kid: meta.rogueIssuer, keys: pair('issuer', meta.rogueIssuer) },
    fleet: { kid: meta.fleet, keys: pair('fleet', meta.fleet) },
    device: pair('device', 'device'),
    trustList: JSON.parse(readFileSync(join(dir, 'trust-list.json'), 'utf8')) as TrustListJson,
    revocations: JSON.parse(readFileSync(join(dir, 'revocations.json'), 'utf8')) as RevocationListJson,
    enrolled: meta.enrolled,
  };
}
