import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GateConfig } from '../../config/schema.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { loadOrCreateCheckpointKey } from './checkpoint.ts';
import { Journal } from './journal.ts';

/**
 * Opens a seat's journal (a lane's or a kiosk's) as its config says, with signed checkpoints
 * when a checkpoint key is configured. A key made now is journalled: the central system must
 * see it and compare it with the one it knows.
 */
export function openSeatJournal(config: GateConfig, deps: { clock: Clock; log: Logger }): Journal {
  mkdirSync(dirname(config.journal.path), { recursive: true });
  const j = config.journal;
  const checkpointKey = j.checkpointKeyPath ? loadOrCreateCheckpointKey(j.checkpointKeyPath) : undefined;
  const journal = Journal.open({
    path: j.path,
    gate: config.gate,
    clock: deps.clock,
    secretPath: j.secretPath,
    ...(checkpointKey ? { checkpoint: { key: checkpointKey, everyEvents: j.checkpointEveryEvents, everyMs: j.checkpointEveryMs } } : {}),
  });
  if (checkpointKey?.created) {
    journal.append('keys_changed', { action: 'checkpoint_key_created', kid: checkpointKey.kid });
    deps.log.info({ kid: checkpointKey.kid, publicKey: `${j.checkpointKeyPath}.pub.pem` }, 'checkpoint key created: give its public half to the central system');
  }
  return journal;
}
