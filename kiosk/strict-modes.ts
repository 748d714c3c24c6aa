import { existsSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EgateError } from './errors.ts';

/**
 * A file the gate trusts (trust list, revocation list, keys, technician file, config, the
 * stores) that another local user can write is a door that other user can open: add an
 * issuer key to the trust list and the entry door opens for a credential of their making.
 * So, as sshd's StrictModes does for authorized_keys, such a file and every directory above
 * it must belong to the gate's user or root and be writable by nobody else. A directory that
 * others may write to is accepted only with the sticky bit (/tmp): there nobody can rename
 * or remove an entry they do not own, and the entry below is checked in its turn.
 * Codes: FILE_UNSAFE_OWNER, FILE_UNSAFE_MODE, FILE_UNREADABLE. Messages name the file and
 * the command that fixes it.
 */
export class FileModeError extends EgateError {
  readonly path: string;
  constructor(code: string, path: string, message: string) {
    super(code, message);
    this.path = path;
  }
}

export interface StrictModeOptions {
  /** A secret (private key, HMAC key): not even readable by group or others (0600). */
  secret?: boolean;
}

function uid(): number {
  return process.getuid?.() ?? 0;
}

function checkOne(path: string, st: Stats, what: string, secret: boolean): void {
  const me = uid();
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  if (st.uid !== me && st.uid !== 0) {
    throw new FileModeError(
      'FILE_UNSAFE_OWNER',
      path,
      `${what} ${path} belongs to uid ${st.uid}, not to the gate's user (uid ${me}) or root: chown ${me} ${path}`,
    );
  }
  const dir = st.isDirectory();
  if ((st.mode & 0o022) !== 0 && !(dir && (st.mode & 0o1000) !== 0)) {
    throw new FileModeError('FILE_UNSAFE_MODE', path, `${what} ${path} is writable by group or others (mode ${mode}): chmod go-w ${path}`);
  }
  if (secret && !dir && (st.mode & 0o077) !== 0) {
    throw new FileModeError('FILE_UNSAFE_MODE', path, `${what} ${path} is accessible by group or others (mode ${mode}): chmod 600 ${path}`);
  }
}

/**
 * Checks `path` (when it exists) and every directory above it, following symbolic links to
 * where the data really is. A path that does not exist yet is checked from its nearest
 * existing directory: the gate must not create a key where another user can swap it.
 * Throws FileModeError; returns the real path checked.
 */
export function assertStrictModes(path: string, what: string, opts: StrictModeOptions = {}): string {
  let target = resolve(path);
  let exists = true;
  while (!existsSync(target)) {
    exists = false;
    const up = dirname(target);
    if (up === target) break;
    target = up;
  }
  let real: string;
  try {
    real = realpathSync(target);
  } catch (err) {
    throw new FileModeError('FILE_UNREADABLE', path, `cannot resolve ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let current = real;
  let first = true;
  for (;;) {
    let st: Stats;
    try {
      st = statSync(current);
    } catch (err) {
      throw new FileModeError('FILE_UNREADABLE', current, `cannot stat ${current} (${what}): ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    checkOne(current, st, first && exists ? what : `directory of ${what}`, first && exists && (opts.secret ?? false));
    first = false;
    const up = dirname(current);
    if (up === current) break;
    current = up;
  }
  return real;
}

/** Checks each existing path; the first unsafe one throws. */
export function assertStrictModesAll(entries: readonly { path: string | undefined; what: string; secret?: boolean }[]): void {
  for (const e of entries) if (e.path) assertStrictModes(e.path, e.what, e.secret ? { secret: true } : {});
}
