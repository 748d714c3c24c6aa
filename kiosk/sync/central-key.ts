import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { assertStrictModes } from '../strict-modes.ts';
import { SyncError } from './errors.ts';

/**
 * The central system's command key: a P-256 public key in PEM (SPKI). Absent file → undefined
 * (the link still drains the journal; every command is refused). A file that is there but
 * is not a P-256 public key is a configuration error: SYNC_BAD_KEY.
 */
export function loadCentralKey(path: string): KeyObject | undefined {
  if (!existsSync(path)) return undefined;
  assertStrictModes(path, 'central key');
  let key: KeyObject;
  try {
    key = createPublicKey(readFileSync(path));
  } catch (err) {
    throw new SyncError('SYNC_BAD_KEY', `${path} is not a PEM public key`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new SyncError('SYNC_BAD_KEY', `${path} is not a P-256 key (ES256 commands)`);
  }
  return key;
}
