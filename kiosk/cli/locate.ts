import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGateConfig } from '../../config/load.ts';
import type { GateConfig } from '../../config/schema.ts';
import { CliClient } from './client.ts';
import { CliError } from './errors.ts';

/** Where the packaged gate reads its configuration (deploy/egate.service); EGATE_DEFAULT_CONFIG moves it. */
export const defaultConfigPath = (): string => process.env.EGATE_DEFAULT_CONFIG || '/etc/egate/gate.json';

const INSTALL_DIR = new URL('../../', import.meta.url).pathname;

export interface Where {
  path: string;
  /** Where the path came from, for "looked in …". */
  from: string;
}

/**
 * The config file the CLI reads paths from: --config, EGATE_CONFIG, or the default location
 * when a file is there. The gate resolves relative paths against the file's directory; so does this.
 */
export function configFile(given?: string): Where | undefined {
  if (given) return { path: given, from: '--config' };
  if (process.env.EGATE_CONFIG) return { path: process.env.EGATE_CONFIG, from: 'EGATE_CONFIG' };
  const d = defaultConfigPath();
  return existsSync(d) ? { path: d, from: 'the default config' } : undefined;
}

export function pathFromConfig(file: Where, pick: (c: GateConfig) => string): string {
  return pick(loadGateConfig(file.path));
}

/** Every place the gate's socket may be, most explicit first; an explicit one is the only one. */
export function socketCandidates(o: { socket?: string; config?: string }): Where[] {
  if (o.socket) return [{ path: o.socket, from: '--socket' }];
  if (process.env.EGATE_SOCKET) return [{ path: process.env.EGATE_SOCKET, from: 'EGATE_SOCKET' }];
  const cfg = configFile(o.config);
  if (cfg) return [{ path: pathFromConfig(cfg, (c) => c.local.socketPath), from: `local.socketPath of ${cfg.path} (${cfg.from})` }];
  const here = resolve('var/egate.sock');
  const install = join(INSTALL_DIR, 'var/egate.sock');
  return [{ path: here, from: 'the current directory' }, ...(install !== here ? [{ path: install, from: 'the install directory' }] : [])];
}

/** Connects to the first candidate a gate answers on; otherwise says every place it looked. */
export async function connectGate(o: { socket?: string; config?: string }): Promise<{ client: CliClient; socket: string }> {
  const tried = socketCandidates(o);
  for (const w of tried) {
    try {
      return { client: await CliClient.connect(w.path), socket: w.path };
    } catch (err) {
      // A socket we may not open, or that fails otherwise, is an answer worth reporting as is.
      if (!(err instanceof CliError) || err.code !== 'GATE_NOT_RUNNING') throw err;
    }
  }
  const where = tried.map((w) => `${w.path} (${w.from})`).join(', ');
  throw new CliError(
    'GATE_NOT_FOUND',
    `no gate answers: looked in ${where}. Is the gate running (systemctl status egate)? Otherwise name its socket with --socket, EGATE_SOCKET or --config`,
  );
}
