import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../kiosk/errors.ts';
import { assertStrictModes } from '../kiosk/strict-modes.ts';
import { placeUnderDataDir, resolvePaths } from './data-paths.ts';
import { configSchema, SEAT_PROFILES, type GateConfig } from './schema.ts';

const PROFILES_DIR = new URL('./profiles/', import.meta.url).pathname;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated. */
export function mergeConfig(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? mergeConfig(out[k] as Json, v) : v;
  return out;
}

function readJson(path: string, what: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}` }]);
  }
  try {
    const v: unknown = JSON.parse(text);
    if (!isObject(v)) throw new Error('top level is not an object');
    return v;
  } catch (err) {
    throw new ConfigError([{ path: '', message: `${what} ${path} is not valid JSON: ${(err as Error).message}` }]);
  }
}

/**
 * Validates raw config values: the profile's defaults first, the site's values over them.
 * Every bad field is reported with its path; nothing half-valid ever reaches the gate.
 */
export function parseConfig(raw: Json): GateConfig {
  const profile = typeof raw.profile === 'string' ? raw.profile : 'pedestrian';
  let merged = raw;
  const defaults = join(PROFILES_DIR, `${profile}.json`);
  if ((SEAT_PROFILES as readonly string[]).includes(profile) && existsSync(defaults)) merged = mergeConfig(readJson(defaults, 'profile'), raw);
  // Stores and keys the site did not place go under dataDir, wherever that is.
  const result = configSchema.safeParse(placeUnderDataDir(merged));
  if (!result.success) {
    // An unknown key is reported at its own path (door.drivr), not its parent's: a misspelling is found at once.
    throw new ConfigError(
      result.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: [...i.path, k].join('.'), message: 'unknown key (misspelled?)' }))
          : [{ path: i.path.join('.'), message: i.message }],
      ),
    );
  }
  return result.data;
}

/** Loads the config file named by the argument or EGATE_CONFIG; none means all defaults (simulation). */
export function loadConfig(path = process.env.EGATE_CONFIG): GateConfig {
  // the config names every key and list the gate trusts: another user must not be able to write it
  if (path) assertStrictModes(path, 'configuration file');
  return parseConfig(path ? readJson(path, 'config file') : {});
}

/**
 * The configuration as the gate itself reads it: the file (or EGATE_CONFIG, or the defaults),
 * relative paths against the file's directory (the working directory without a file). Every
 * tool that opens the gate's stores uses this, so it opens the same files as the gate.
 */
export function loadGateConfig(path: string | undefined = process.env.EGATE_CONFIG): GateConfig {
  return resolvePaths(loadConfig(path), path ? dirname(resolve(path)) : process.cwd());
}
