import { existsSync } from 'node:fs';
import type { Clock } from '../clock.ts';
import { EgateError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TokensConfig } from '../../config/sections/tokens.ts';
import { FleetKeys } from './fleet-keys.ts';
import { ReplayCache } from './replay-cache.ts';
import { RevocationList } from './revocation-list.ts';
import { TrustList } from './trust-list.ts';
import { TokenVerifier } from './verifier.ts';

export interface TokenStores {
  fleetKeys: FleetKeys;
  trustList: TrustList;
  revocations: RevocationList;
  replayCache: ReplayCache;
}

/**
 * Opens the token stores named in config. Every one must exist: a gate without its trust
 * list or revocation list would accept what it should refuse, so it does not start.
 */
export function openTokenStores(cfg: TokensConfig): TokenStores {
  for (const [path, code] of [
    [cfg.trustListPath, 'TRUST_LIST_MISSING'],
    [cfg.revocationListPath, 'REVOCATION_LIST_MISSING'],
    [cfg.fleetKeysDir, 'FLEET_KEYS_MISSING'],
  ] as const) {
    if (!existsSync(path)) throw new EgateError(code, `${path} does not exist (make one with scripts/token-tool.ts)`);
  }
  return {
    fleetKeys: FleetKeys.loadDir(cfg.fleetKeysDir),
    trustList: TrustList.load(cfg.trustListPath),
    revocations: RevocationList.load(cfg.revocationListPath),
    replayCache: new ReplayCache(cfg.replayCachePath),
  };
}

export function createTokenVerifier(
  cfg: TokensConfig,
  stores: TokenStores,
  deps: { clock: Clock; service: string; hasReference: (sub: string) => boolean | Promise<boolean>; log?: Logger },
): TokenVerifier {
  return new TokenVerifier({
    ...stores,
    ...deps,
    clockSkewS: cfg.clockSkewS,
    presentationWindowS: cfg.presentationWindowS,
    maxInputBytes: cfg.maxInputBytes,
  });
}
