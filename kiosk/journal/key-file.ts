import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertStrictModes } from '../strict-modes.ts';
import { KeyFileError } from './errors.ts';

/**
 * Reads a secret key file of exactly `bytes` random bytes, creating it (mode 0600, parent
 * 0700) on first use. Creation writes a temporary file and hard-links it into place, so a
 * crash never leaves a short key behind and two processes starting together agree on one
 * key. A key that group or others can read is refused: it would make pseudonyms reversible
 * by dictionary and templates readable.
 */
export function loadOrCreateKeyFile(path: string, bytes = 32): Buffer {
  try {
    return readKeyFile(path, bytes);
  } catch (err) {
    if (!(err instanceof KeyFileError && err.code === 'KEY_FILE_MISSING')) throw err;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  assertStrictModes(dirname(path), 'key directory');
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(bytes));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new KeyFileError('KEY_FILE_IO', `cannot create key file ${path}: ${(err as Error).message}`);
  } finally {
    unlinkSync(tmp);
  }
  return readKeyFile(path, bytes);
}

/** Reads an existing key file; KEY_FILE_MISSING when there is none. */
export function readKeyFile(path: string, bytes = 32): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeyFileError(code === 'ENOENT' ? 'KEY_FILE_MISSING' : 'KEY_FILE_IO', `cannot read key file ${path}: ${code ?? err}`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new KeyFileError('KEY_FILE_PERMISSIONS', `key file ${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  assertStrictModes(path, 'key file', { secret: true });
  const key = readFileSync(path);
  if (key.length !== bytes) throw new KeyFileError('KEY_FILE_INVALID', `key file ${path} holds ${key.length} bytes, expected ${bytes}`);
  return key;
}
