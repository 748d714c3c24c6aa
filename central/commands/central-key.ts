import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { CentralError } from '../errors.ts';

/**
 * The central command key from a file: PKCS#8 PEM, P-256 (the gates verify ES256 against
 * its public half, kiosk/sync/central-key.ts). A key that group or others can read is
 * refused. The production option, a PKCS#11 token, is signer.ts (config commands.pkcs11).
 */
export function loadCommandKey(path: string): { privateKey: KeyObject; publicKey: KeyObject } {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new CentralError('CENTRAL_KEY', `central command key ${path} not found`);
  }
  if ((mode & 0o077) !== 0) throw new CentralError('CENTRAL_KEY', `central command key ${path} is readable by group or others; chmod 600 it`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CentralError('CENTRAL_KEY', `${path} is not a PEM private key`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new CentralError('CENTRAL_KEY', `${path} is not a P-256 key`);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
