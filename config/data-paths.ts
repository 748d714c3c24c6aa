import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { GateConfig } from './schema.ts';

/**
 * Every file and directory the gate keeps, by config key, with its place under `dataDir`
 * when the config does not name it. `writes`: the gate (or its tools, or a central command)
 * writes there, so under systemd it must lie inside the one writable directory (dataDir =
 * /var/lib/egate, deploy/egate.service ReadWritePaths). The others are only read and may
 * live elsewhere (for instance the issuer's fleet keys under /etc/egate).
 */
export const DATA_PATHS = [
  { section: 'journal', key: 'path', under: 'journal.sqlite', writes: true },
  { section: 'journal', key: 'secretPath', under: 'keys/gate-secret', writes: true },
  { section: 'journal', key: 'checkpointKeyPath', under: 'keys/checkpoint.key', writes: true },
  { section: 'enrolment', key: 'path', under: 'enrolment.sqlite', writes: true },
  { section: 'enrolment', key: 'keyPath', under: 'keys/enrolment.key', writes: true },
  { section: 'sync', key: 'centralKeyPath', under: 'keys/central.pub.pem', writes: false },
  { section: 'sync', key: 'gateKeyPath', under: 'keys/gate-command.key', writes: true },
  { section: 'sync', key: 'commandLedgerPath', under: 'sync-commands.sqlite', writes: true },
  { section: 'local', key: 'socketPath', under: 'egate.sock', writes: true },
  { section: 'local', key: 'technicianCredentialsPath', under: 'keys/technicians.json', writes: true },
  { section: 'tokens', key: 'fleetKeysDir', under: 'keys/fleet', writes: false },
  { section: 'tokens', key: 'trustListPath', under: 'keys/trust-list.json', writes: true },
  { section: 'tokens', key: 'revocationListPath', under: 'keys/revocations.json', writes: true },
  { section: 'tokens', key: 'replayCachePath', under: 'tokens/replay.sqlite', writes: true },
  { section: 'visa', key: 'revocationListPath', under: 'visa/revocations.json', writes: true },
  { section: 'passport', key: 'cscaPaths', under: ['passport/csca'], writes: false },
  { section: 'passport', key: 'crlPaths', under: ['passport/crl'], writes: false },
  { section: 'passport', key: 'masterListPaths', under: [] as string[], writes: false },
  { section: 'sync', key: 'ca', under: undefined, writes: false },
  { section: 'sync', key: 'cert', under: undefined, writes: false },
  { section: 'sync', key: 'key', under: undefined, writes: false },
] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Raw config with every path the site did not name placed under its `dataDir`, so that
 * moving dataDir (to /var/lib/egate) moves every store and key with it.
 */
export function placeUnderDataDir(raw: Json): Json {
  const dataDir = typeof raw.dataDir === 'string' ? raw.dataDir : 'var';
  const out: Json = { ...raw };
  for (const p of DATA_PATHS) {
    if (p.under === undefined) continue;
    if (out[p.section] !== undefined && !isObject(out[p.section])) continue; // the schema reports it
    const section: Json = isObject(out[p.section]) ? { ...(out[p.section] as Json) } : {};
    if (section[p.key] !== undefined) continue;
    section[p.key] = Array.isArray(p.under) ? p.under.map((u: string) => posix.join(dataDir, u)) : posix.join(dataDir, p.under as string);
    out[p.section] = section;
  }
  return out;
}

type PathValue = string | string[] | undefined;
const get = (c: GateConfig, s: string, k: string): PathValue => (c as unknown as Record<string, Record<string, PathValue>>)[s]?.[k];

/** Resolves the config's relative paths against `base` (the config file's directory), so a gate runs from any cwd. */
export function resolvePaths(config: GateConfig, base: string): GateConfig {
  const abs = (p: string): string => (isAbsolute(p) ? p : join(base, p));
  const out = { ...config, dataDir: abs(config.dataDir) } as unknown as Record<string, unknown>;
  for (const p of DATA_PATHS) {
    const v = get(config, p.section, p.key);
    if (v === undefined) continue;
    const section = { ...(out[p.section] as Record<string, unknown>) };
    section[p.key] = Array.isArray(v) ? v.map(abs) : abs(v);
    out[p.section] = section;
  }
  // The e-Visa barcode-signer roots: per issuing state, files or directories (read only).
  const visa = out.visa as GateConfig['visa'];
  out.visa = { ...visa, roots: Object.fromEntries(Object.entries(visa.roots).map(([state, ps]) => [state, ps.map(abs)])) };
  return out as unknown as GateConfig;
}

/** The paths (of a resolved config) the gate writes that lie outside its dataDir, by config key. */
export function writablePathsOutsideDataDir(config: GateConfig): { key: string; path: string }[] {
  const inside = (p: string): boolean => {
    const r = relative(config.dataDir, p);
    return r !== '' && !r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r);
  };
  const out: { key: string; path: string }[] = [];
  for (const p of DATA_PATHS) {
    const v = get(config, p.section, p.key);
    if (!p.writes || typeof v !== 'string') continue;
    if (!inside(v)) out.push({ key: `${p.section}.${p.key}`, path: v });
  }
  return out;
}

/** Refuses a resolved config that writes outside dataDir (under systemd only dataDir is writable). */
export function assertWritesInsideDataDir(config: GateConfig): void {
  const out = writablePathsOutsideDataDir(config);
  if (out.length > 0) {
    throw new ConfigError(out.map((o) => ({ path: o.key, message: `${o.path} is outside dataDir ${config.dataDir}: the gate writes there, keep it under dataDir (the service can write nowhere else)` })));
  }
}
