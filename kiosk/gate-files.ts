import type { GateConfig } from '../config/schema.ts';
import { assertStrictModesAll } from './strict-modes.ts';

/**
 * Every file the gate trusts, by config path: what decides who passes (trust and revocation
 * lists, fleet keys, the central command key, CSCA material, enrolled references), what
 * holds secrets (gate secret, template key, checkpoint key, technician hashes, TLS key) and
 * what keeps history (journal, replay cache, command ledger). One list, so a new key file is
 * added here once and is then checked at start like the others; the loaders check again
 * whenever they (re)read a file.
 */
export function gateFiles(config: GateConfig): { path: string | undefined; what: string; secret?: boolean }[] {
  const s = config.sync;
  return [
    { path: config.dataDir, what: 'data directory' },
    { path: config.tokens.trustListPath, what: 'trust list' },
    { path: config.tokens.revocationListPath, what: 'revocation list' },
    { path: config.tokens.fleetKeysDir, what: 'fleet key directory' },
    { path: config.tokens.replayCachePath, what: 'replay cache' },
    { path: config.journal.path, what: 'journal' },
    { path: config.journal.secretPath, what: 'gate secret', secret: true },
    { path: config.journal.checkpointKeyPath || undefined, what: 'checkpoint key', secret: true },
    { path: config.enrolment.path, what: 'enrolment store' },
    { path: config.enrolment.keyPath, what: 'enrolment key', secret: true },
    { path: config.local.technicianCredentialsPath, what: 'technician credentials file', secret: true },
    ...(s.enabled
      ? [
          { path: s.centralKeyPath, what: 'central key' },
          { path: s.gateKeyPath, what: 'gate command key', secret: true },
          { path: s.commandLedgerPath, what: 'command ledger' },
          { path: s.ca, what: 'broker CA certificate' },
          { path: s.cert, what: 'client certificate' },
          { path: s.key, what: 'client key', secret: true },
        ]
      : []),
    ...[...config.passport.cscaPaths, ...config.passport.crlPaths, ...config.passport.masterListPaths].map((path) => ({ path, what: 'passport trust file' })),
  ];
}

/** Refuses to start (FileModeError naming the file and the fix) when any of them is unsafe. */
export function assertGateFilesSafe(config: GateConfig): void {
  assertStrictModesAll(gateFiles(config));
}
