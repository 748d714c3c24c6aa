import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadGateConfig } from '../config/load.ts';
import { profileNeeds } from '../config/profile-needs.ts';
import type { GateConfig } from '../config/schema.ts';
import { verifyModels } from '../models/provision.ts';
import { ConfigError, EgateError } from './errors.ts';

/**
 * What a configured gate needs on disk before it starts, and how each file is made: the
 * token issuer's trust list, revocation list and fleet keys (`token-tool init` makes a test
 * issuer's), the Express lane's CSCA certificates, the face models. Files the gate makes
 * itself at first start (gate secret, enrolment and checkpoint keys, stores) are not listed.
 */
export interface NeededFile {
  what: string;
  path: string;
  /** The command (or the source) that makes it. */
  make: string;
  /** false: the gate starts without it, but something stays unusable (named in `what`). */
  required: boolean;
}

export function neededFiles(config: GateConfig): NeededFile[] {
  const t = config.tokens;
  const tokenDir = dirname(t.trustListPath);
  const tokenTool = `npm run token-tool -- init --dir ${tokenDir} (a test issuer; on a site, install the issuer's files)`;
  const needs = profileNeeds(config.profile);
  const files: NeededFile[] = [
    ...(needs.tokens
      ? [
          { what: 'trust list (issuer keys)', path: t.trustListPath, make: tokenTool, required: true },
          { what: 'revocation list', path: t.revocationListPath, make: tokenTool, required: true },
          { what: 'fleet key directory', path: t.fleetKeysDir, make: tokenTool, required: true },
        ]
      : []),
    {
      what: 'technician credentials (no technician can log in without them)',
      path: config.local.technicianCredentialsPath,
      make: `egate technician add <id> --credentials ${config.local.technicianCredentialsPath}`,
      required: false,
    },
  ];
  if (needs.passports) {
    for (const path of config.passport.cscaPaths) {
      files.push({ what: 'CSCA certificates', path, make: `the states' CSCA certificates (PEM/DER); for tests: node --import tsx scripts/make-passport.ts --out ${dirname(path)}`, required: true });
    }
    for (const path of config.passport.crlPaths) files.push({ what: 'CSCA CRLs', path, make: "the states' CRLs (a listed path must exist)", required: true });
    for (const path of config.passport.masterListPaths) files.push({ what: 'ICAO master list', path, make: 'the ICAO PKD master list', required: true });
  }
  if (config.sync.enabled) {
    const s = config.sync;
    files.push({ what: "central system's public key (central commands are refused without it)", path: s.centralKeyPath, make: 'the central system (its command signing key, public half)', required: false });
    for (const [path, what] of [
      [s.ca, 'broker CA certificate'],
      [s.cert, 'client certificate'],
      [s.key, 'client key'],
    ] as const) {
      if (path) files.push({ what, path, make: "the site's MQTT broker PKI", required: true });
    }
  }
  return files;
}

export function missingFiles(config: GateConfig): NeededFile[] {
  return neededFiles(config).filter((f) => !existsSync(f.path));
}

/** One line per missing file: what, where, and how to make it. */
export function describeMissing(files: NeededFile[]): string[] {
  return files.map((f) => `${f.what}: ${f.path} — make it with: ${f.make}`);
}

/** Refuses to start a configured gate that lacks a file it needs, naming every one and how to make it. */
export function assertNeededFiles(config: GateConfig): void {
  const missing = missingFiles(config).filter((f) => f.required);
  if (missing.length) throw new EgateError('GATE_FILES_MISSING', `the gate lacks ${missing.length} file(s) it needs:\n  - ${describeMissing(missing).join('\n  - ')}`);
}

export interface ConfigCheck {
  file: string;
  config?: GateConfig;
  issues: { path: string; message: string }[];
  missing: NeededFile[];
  models?: string;
}

/** `egate config check`: the file validates, every needed file is there, the models verify. */
export function checkConfigFile(file: string): ConfigCheck {
  let config: GateConfig;
  try {
    config = loadGateConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) return { file, issues: [...err.issues], missing: [] };
    if (err instanceof EgateError) return { file, issues: [{ path: '', message: `${err.code}: ${err.message}` }], missing: [] };
    throw err;
  }
  let models: string | undefined;
  try {
    verifyModels();
  } catch (err) {
    models = (err as Error).message;
  }
  return { file, config, issues: [], missing: missingFiles(config), ...(models ? { models } : {}) };
}

/** The report a technician reads; ok is false when the gate would not start as configured. */
export function formatConfigCheck(c: ConfigCheck): { ok: boolean; lines: string[] } {
  if (!c.config) return { ok: false, lines: [`${c.file}: INVALID`, ...c.issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`)] };
  const lines = [`${c.file}: valid (gate ${c.config.gate}, profile ${c.config.profile}, door ${c.config.door.driver}, camera ${c.config.camera.driver})`];
  const required = c.missing.filter((f) => f.required);
  const optional = c.missing.filter((f) => !f.required);
  if (required.length) lines.push(`missing — the gate will not start without them:`, ...describeMissing(required).map((l) => `  - ${l}`));
  if (optional.length) lines.push(`missing — the gate starts, but:`, ...describeMissing(optional).map((l) => `  - ${l}`));
  if (c.models) lines.push(`face models: ${c.models}`);
  const ok = required.length === 0 && !c.models;
  lines.push(ok ? 'ready to start' : 'NOT ready to start');
  return { ok, lines };
}
