import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { FleetKeys } from '../../kiosk/tokens/fleet-keys.ts';
import { ReplayCache } from '../../kiosk/tokens/replay-cache.ts';
import { RevocationList } from '../../kiosk/tokens/revocation-list.ts';
import { createTokenWorld, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';
import { TokenVerifier } from '../../kiosk/tokens/verifier.ts';

/** A verifier wired to a fresh token world, a simulated clock and a replay cache in a temp dir. */
export interface Rig {
  world: TokenWorld;
  clock: SimulatedClock;
  fleetKeys: FleetKeys;
  trustList: TrustList;
  revocations: RevocationList;
  replayCache: ReplayCache;
  verifier: TokenVerifier;
  dir: string;
  close(): void;
}

export function makeRig(world?: TokenWorld): Rig {
  const clock = new SimulatedClock();
  const w = world ?? createTokenWorld({ nowMs: clock.now() });
  clock.setWallClock(w.nowMs);
  const dir = mkdtempSync(join(tmpdir(), 'egate-tokens-'));
  const fleetKeys = new FleetKeys();
  fleetKeys.add(w.fleet.kid, w.fleet.keys.privateKey);
  const trustList = new TrustList(w.trustList);
  const revocations = new RevocationList(w.revocations);
  const replayCache = new ReplayCache(join(dir, 'replay.sqlite'));
  const enrolled = new Set(w.enrolled);
  const verifier = new TokenVerifier({
    clock, fleetKeys, trustList, revocations, replayCache, service: w.service, hasReference: (sub) => enrolled.has(sub),
  });
  return {
    world: w, clock, fleetKeys, trustList, revocations, replayCache, verifier, dir,
    close() {
      replayCache.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
