/**
 * The gate's application bundle built from a checkout (issue 18 item 1): the files a gate
 * runs and nothing else — the product directories (kiosk, drivers, core, config, icao), the
 * technician CLI entry (bin/egate.mjs), package.json, its lock and tsconfig, the model
 * manifest code (models/provision.ts, which the model check uses) and the self-test
 * photographs (fixtures/faces, used by the self-test crossing of an update). Tests, tools,
 * central and the demo stay out. The files come from one git commit (`git archive`), not the
 * working tree: an untracked key or database never ships, and an edit in progress never
 * mixes into a release. The commit is named in egate-release.json.
 *
 * The tarball is reproducible (sorted names, mtime 0, owner 0): the same checkout gives the
 * same SHA-256. It holds egate-release.json: how to start it (argv, relative to the bundle),
 * the release label, the lockfile's SHA-256 (the runtime it needs, see below) and the SHA-256
 * of every file. The model files and their manifest are separate TUF targets, with the
 * calibration (config/operating-points.json) the manifest names.
 *
 * Runtime: node_modules is not in the bundle (513 MB with native builds per platform); the
 * gate is provisioned with the dependencies of the lock (`npm ci --omit=dev`) at
 * <installRoot>/node_modules, which every slot finds by Node's parent-directory lookup, with
 * the lock it came from kept as <installRoot>/package-lock.json. The gate refuses a release
 * whose lockSha256 differs (UPDATE_RUNTIME_MISMATCH, kiosk/update/slots.ts) before anything
 * is switched: such a release needs the runtime re-provisioned first.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReleaseFile } from './tuf-repository.ts';

/** Path prefixes (as git lists them) that make up the gate's application. */
export const BUNDLE_PATHS = ['kiosk/', 'drivers/', 'core/', 'config/', 'icao/', 'fixtures/faces/', 'bin/egate.mjs', 'models/provision.ts', 'models/manifest.json', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** How the launcher starts a release: node options, then the entry script. */
export const BUNDLE_ARGV = ['--import', 'tsx', 'kiosk/main.ts'];

/** The operating point the gate decides with: the release's calibration must carry it. */
const REQUIRED_POINTS = ['fmr_1e-4'];

export interface BuiltRelease {
  /** The application tarball and every model target, ready for publishRelease(). */
  files: ReleaseFile[];
  bundle: { file: string; sha256: string; bytes: number; files: number };
  lockSha256: string;
  /** Where the built files are (the caller removes it). */
  dir: string;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface BuildOptions {
  /** The checkout to build from. */
  root: string;
  /** The commit (or any git revision) to build; default HEAD, resolved once to its hash. */
  rev?: string;
  release: string;
  /** Output directory (default: a new temporary one). */
  outDir?: string;
  /** Called with the staged application tree before it is packed (tests damage a release here). */
  beforePack?: (appDir: string) => void;
}

export function buildRelease(o: BuildOptions): BuiltRelease {
  const dir = o.outDir ?? mkdtempSync(join(tmpdir(), `egate-release-${o.release}-`));
  const app = join(dir, 'app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  const commit = execFileSync('git', ['rev-parse', '--verify', `${o.rev ?? 'HEAD'}^{commit}`], { cwd: o.root }).toString().trim();
  const tar = execFileSync('git', ['archive', '--format=tar', commit, '--', ...BUNDLE_PATHS], { cwd: o.root, maxBuffer: 256 << 20 });
  execFileSync('tar', ['-xf', '-', '-C', app, '--no-same-owner'], { input: tar });
  o.beforePack?.(app);
  const paths = listTree(app).sort();
  const hashes = paths.map((p) => ({ path: p, sha256: sha256(readFileSync(join(app, p))) }));
  const lockSha256 = sha256(readFileSync(join(app, 'package-lock.json')));
  writeFileSync(join(app, 'egate-release.json'), JSON.stringify({ argv: BUNDLE_ARGV, release: o.release, commit, lockSha256, files: hashes }, null, 1));
  const tarball = join(dir, `egate-${o.release}.tar.gz`);
  // GNU tar: reproducible member order, times and owners; gzip -n drops the name and time.
  execFileSync('sh', ['-c', 'tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "$1" . | gzip -n -6 > "$2"', 'sh', app, tarball]);
  const bytes = readFileSync(tarball);
  // The model binaries are not in git: the checkout's copies, checked against the commit's manifest.
  const models = releaseModels(join(app, 'models', 'manifest.json'), join(o.root, 'models'), join(app, 'config', 'operating-points.json'), join(dir, 'models'));
  return {
    files: [{ file: tarball, name: 'app/egate.tar.gz', kind: 'app' }, ...models.map((f) => ({ file: join(dir, 'models', f), name: `models/${f}`, kind: 'model' as const }))],
    bundle: { file: tarball, sha256: sha256(bytes), bytes: bytes.length, files: hashes.length + 1 },
    lockSha256,
    dir,
  };
}

/**
 * The release's models directory: every model of models/manifest.json (checked against its
 * SHA-256 here, so a damaged local model never ships), the operating points of
 * config/operating-points.json as operating-points.json, and the manifest with the
 * calibration section the gate's model check reads (kiosk/update/model-check.ts).
 */
function releaseModels(manifestFile: string, modelsDir: string, operatingPoints: string, out: string): string[] {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { models: { name: string; file: string; sha256: string }[] };
  for (const m of manifest.models) {
    const b = readFileSync(join(modelsDir, m.file));
    if (sha256(b) !== m.sha256) throw new Error(`models/${m.file} does not match models/manifest.json (run npm run models)`);
    writeFileSync(join(out, m.file), b);
  }
  const feature = manifest.models.find((m) => m.name === 'feature');
  if (!feature) throw new Error('models/manifest.json names no feature model: the calibration has nothing to belong to');
  copyFileSync(operatingPoints, join(out, 'operating-points.json'));
  const release = { ...manifest, calibration: { check: 'operating-points', file: 'operating-points.json', modelSha256: feature.sha256, requires: REQUIRED_POINTS } };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(release, null, 1));
  return [...manifest.models.map((m) => m.file), 'operating-points.json', 'manifest.json'];
}

/** Every regular file under `dir`, as relative paths with '/'. */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listTree(dir, rel) : e.isFile() ? [rel] : [];
  });
}
