import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writePrivateKeyFile } from '../../kiosk/tokens/fleet-keys.ts';
import { worldCredential, worldQr, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import type { TokensConfig } from '../../config/sections/tokens.ts';
import type { Traveller } from './scenario.ts';

/** Writes the token world's fleet key, trust list and revocation list where the gate's config expects them. */
export function writeTokenFiles(w: TokenWorld, cfg: TokensConfig, revokedSubs: string[]): void {
  mkdirSync(cfg.fleetKeysDir, { recursive: true, mode: 0o700 });
  writePrivateKeyFile(cfg.fleetKeysDir, w.fleet.kid, w.fleet.keys.privateKey);
  mkdirSync(dirname(cfg.trustListPath), { recursive: true });
  writeFileSync(cfg.trustListPath, JSON.stringify(w.trustList, null, 2));
  writeFileSync(cfg.revocationListPath, JSON.stringify({ ...w.revocations, sub: [...(w.revocations.sub ?? []), ...revokedSubs] }, null, 2));
}

export interface Presentation {
  channel: 'qr' | 'card';
  input: string | Uint8Array;
}

/**
 * What a traveller holds, made at the moment of presenting (a phone makes a fresh
 * presentation each time, so its iat is current). `replayOf` is a QR already used at this gate.
 */
export function presentationFor(w: TokenWorld, kind: Traveller['token'], sub: string, nowMs: number, replayOf: string | undefined): Presentation {
  w.nowMs = nowMs;
  const nowS = Math.floor(nowMs / 1000);
  switch (kind) {
    case 'valid':
    case 'revoked':
    case 'not-enrolled':
      return { channel: 'qr', input: worldQr(w, { sub }) };
    case 'card':
      return { channel: 'card', input: worldCredential(w, { sub, mobile: false }) };
    case 'expired':
      return { channel: 'qr', input: worldQr(w, { sub, expS: nowS - 7 * 86_400 }) };
    case 'forged': {
      const cred = worldCredential(w, { sub });
      cred[cred.length - 5] = (cred[cred.length - 5] ?? 0) ^ 0x5a;
      return { channel: 'qr', input: worldQr(w, { sub, credential: cred }) };
    }
    case 'replayed':
      return { channel: 'qr', input: replayOf ?? worldQr(w, { sub }) };
    case 'not-eligible':
      return { channel: 'qr', input: worldQr(w, { sub, services: [w.service === 'VEH' ? 'ECH' : 'VEH'] }) };
    case 'garbage':
      return { channel: 'qr', input: 'HKMQ1:NOT-A-REAL-CODE-' + nowS.toString(36).toUpperCase() };
    default:
      throw new Error(`a ${kind} is presented at the passport reader of the Express e-Channel, not as a QR code or card`);
  }
}
