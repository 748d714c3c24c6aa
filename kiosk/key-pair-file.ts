import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { EgateError } from './errors.ts';
import { assertStrictModes } from './strict-modes.ts';

/** A key pair of the gate's own (checkpoint signing, central command decryption). */
export interface GateKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Hex of the 8-byte key id: the first 8 bytes of SHA-256 over the public key's SPKI DER. */
  kid: string;
  /** True when this call made the key (the caller journals it). */
  created: boolean;
}

export function keyId(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 8));
}

/** The public half, for the central system and verify-journal: `<key path>.pub.pem`. */
export function publicKeyPath(privatePath: string): string {
  return `${privatePath}.pub.pem`;
}

/**
 * Loads a P-256 private key (PKCS#8 PEM, mode 0600, strict modes on the file and every
 * directory above it), creating it on first use — temp file + hard link, so a crash never
 * leaves half a key and two starters agree on one — and writes its public half beside it.
 * Codes: KEY_FILE_IO, KEY_FILE_INVALID; FileModeError for unsafe modes.
 */
export function loadOrCreateKeyPair(path: string, what: string): GateKeyPair {
  let created = false;
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    assertStrictModes(dirname(path), `${what} directory`);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new EgateError('KEY_FILE_IO', `cannot create ${what} ${path}: ${(err as Error).message}`);
    } finally {
      unlinkSync(tmp);
    }
  }
  assertStrictModes(path, what, { secret: true });
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EgateError('KEY_FILE_INVALID', `${what} ${path} is not a PEM private key`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new EgateError('KEY_FILE_INVALID', `${what} ${path} is not a P-256 key`);
  }
  const publicKey = createPublicKey(privateKey);
  const pub = publicKeyPath(path);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  if (!existsSync(pub) || readFileSync(pub, 'utf8') !== pem) writeFileSync(pub, pem, { mode: 0o644 });
  return { privateKey, publicKey, kid: Buffer.from(keyId(publicKey)).toString('hex'), created };
}

/** Reads a P-256 public key (SPKI PEM). */
export function readPublicKeyFile(path: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EgateError('KEY_FILE_INVALID', `${what} ${path} is not a PEM public key`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new EgateError('KEY_FILE_INVALID', `${what} ${path} is not a P-256 key`);
  return key;
}
