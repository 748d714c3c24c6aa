import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { dirname } from 'node:path';
import { CliError } from './errors.ts';

/**
 * Node cannot read a Unix socket peer's credentials (no SO_PEERCRED), so who may talk to the
 * gate is decided by the file system alone: the socket is created 0600 — under a umask of
 * 0177, so it is never reachable more widely even for an instant — in a directory that
 * others cannot write to (else they could swap the socket for their own).
 */
export async function listenPrivate(server: Server, path: string): Promise<void> {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const d = statSync(dir);
  const uid = process.getuid?.() ?? 0;
  if ((d.mode & 0o002) !== 0 && (d.mode & 0o1000) === 0) throw new CliError('SOCKET_UNSAFE', `${dir} is writable by everyone: put the socket in a private directory`);
  if (d.uid !== uid && d.uid !== 0) throw new CliError('SOCKET_UNSAFE', `${dir} belongs to another user`);
  await removeStale(path, uid);
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(path, 0o600);
}

/**
 * A socket file left by a gate that died is removed; one a running gate still answers on is
 * not (SOCKET_IN_USE), nor anything that is not a socket or belongs to someone else.
 */
async function removeStale(path: string, uid: number): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new CliError('SOCKET_UNSAFE', `${path} exists and is not a socket: not replacing it`);
  if (st.uid !== uid) throw new CliError('SOCKET_UNSAFE', `${path} belongs to another user: not replacing it`);
  const live = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (live) throw new CliError('SOCKET_IN_USE', `another gate process is listening on ${path}`);
  unlinkSync(path);
}

/** Removes the socket file if it is still the one this server created. */
export function removeOwn(path: string, ino: number | undefined): void {
  try {
    if (ino !== undefined && lstatSync(path).ino === ino) unlinkSync(path);
  } catch {
    // already gone
  }
}
