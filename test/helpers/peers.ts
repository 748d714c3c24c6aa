import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Real peers (socat, pymodbus, mbpoll, mosquitto, ffmpeg, chromium, pcscd) are started by
 * the tests themselves. When one is missing: under CI=true the test fails (CI must run
 * everything); elsewhere it is skipped with one line naming what is missing and how to get it.
 */
export interface PeerCheck {
  ok: boolean;
  missing: string[];
}

const INSTALL_HINT = 'run `npm run peers` as root (apt-get install of the Debian test peers)';

function hasCommand(cmd: string): boolean {
  if (cmd.startsWith('/')) return existsSync(cmd);
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function hasPythonModule(mod: string): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', `import ${mod}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Peer names: a command on PATH, an absolute path, or `py:module` for /usr/bin/python3. */
export function checkPeers(...peers: string[]): PeerCheck {
  const missing = peers.filter((p) => (p.startsWith('py:') ? !hasPythonModule(p.slice(3)) : !hasCommand(p)));
  return { ok: missing.length === 0, missing };
}

export const inCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/**
 * Returns true when the suite may run. Otherwise prints the one skip line (or, in CI,
 * throws so the run fails) and returns false: callers register their tests as skipped.
 */
export function requirePeers(suite: string, ...peers: string[]): boolean {
  const { ok, missing } = checkPeers(...peers);
  if (ok) return true;
  const line = `${suite}: missing ${missing.join(', ')} — ${INSTALL_HINT}`;
  if (inCI()) throw new Error(`peer missing in CI: ${line}`);
  console.log(`SKIP ${line}`);
  return false;
}

/** Same rule for data that lives outside the repo (../shared/faces, provisioned models). */
export function requirePath(suite: string, path: string, hint: string): boolean {
  if (existsSync(path)) return true;
  const line = `${suite}: missing ${path} — ${hint}`;
  if (inCI()) throw new Error(`required path missing in CI: ${line}`);
  console.log(`SKIP ${line}`);
  return false;
}
