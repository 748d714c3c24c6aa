import { isAbsolute, resolve } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { loadOrCreateKeyPair } from '../key-pair-file.ts';
import { loadCentralKey } from './central-key.ts';
import { CommandLedger } from './command-ledger.ts';
import { SyncError } from './errors.ts';
import { CentralSync, type SyncState } from './sync.ts';
import type { SyncHost } from './types.ts';

export interface SyncHandle {
  /** Publishes `online:false`, disconnects (no will) and closes the command ledger. */
  stop(): Promise<void>;
  /** Resolves when every event journalled before the call is acknowledged by the broker. */
  flush(timeoutMs?: number): Promise<void>;
  status(): SyncState;
  /** The running link, for tools and tests that look inside (topics, stats). */
  readonly sync: CentralSync;
}

/**
 * Starts the central link for a gate (call only when config.sync.enabled; refuses with
 * SYNC_DISABLED otherwise). `control` is the gate's GateControl (any SyncHost will do).
 * Relative sync paths (central key, command ledger) resolve against `deps.base`, default
 * the working directory. Throws SYNC_BAD_KEY for an unusable central key file; a missing
 * one only disables commands (logged), the outbox still runs.
 */
export async function startSync(control: SyncHost, deps: { clock: Clock; log: Logger; base?: string; random?: () => number }): Promise<SyncHandle> {
  const cfg = control.config.sync;
  if (!cfg.enabled) throw new SyncError('SYNC_DISABLED', 'config sync.enabled is false');
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(deps.base ?? process.cwd(), p));
  const centralKey = loadCentralKey(abs(cfg.centralKeyPath));
  if (!centralKey) deps.log.error({ path: abs(cfg.centralKeyPath) }, 'no central key: every central command will be refused');
  // the gate's own key pair: the central system encrypts enrolments and revocations to its public half (<path>.pub.pem)
  const gateKey = loadOrCreateKeyPair(abs(cfg.gateKeyPath), 'gate command key');
  if (gateKey.created) deps.log.info({ kid: gateKey.kid, publicKey: `${abs(cfg.gateKeyPath)}.pub.pem` }, 'gate command key created: give its public half to the central system');
  const ledger = new CommandLedger(abs(cfg.commandLedgerPath));
  const sync = new CentralSync(control, { clock: deps.clock, log: deps.log, centralKey, gateKey, ledger, ...(deps.random ? { random: deps.random } : {}) });
  sync.start();
  return {
    sync,
    async stop() {
      await sync.stop();
      ledger.close();
    },
    flush: (timeoutMs) => sync.flush(timeoutMs),
    status: () => sync.state(),
  };
}
