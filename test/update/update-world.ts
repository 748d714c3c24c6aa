import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installTrustedRoot } from '../../kiosk/update/updater.ts';
import { generateKeys, initRepository, publishRelease, type ReleaseFile } from '../../scripts/release/tuf-repository.ts';

/**
 * A vendor (keys, TUF repository served over node:http on 127.0.0.1) and a gate's data
 * directory provisioned with the repository's root, for the install tests and bench-update.
 * Releases are small bundles running test/update/fixtures/release-main.mjs, with two model
 * files, their manifest and calibrated operating points.
 */
export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');

export type Variant = 'good' | 'crash' | 'crash-after-ready' | 'never-ready' | 'self-test-fails' | 'devices-dead';
export type ModelFault = 'none' | 'calibrated-for-other-model' | 'far-above-target' | 'manifest-hash-wrong';

export interface UpdateWorld {
  dir: string;
  keys: string;
  repo: string;
  dataDir: string;
  installRoot: string;
  url: string;
  server: Server;
  /** SHA-256 of the lock the gate's runtime was provisioned from (<installRoot>/package-lock.json). */
  runtimeLockSha256: string;
  /** `lock: 'other'`: the bundle was built against another lock than the gate's runtime; 'none': it names none. */
  publish(release: string, o?: { variant?: Variant; models?: ModelFault; bundleBytes?: number; lock?: 'runtime' | 'other' | 'none' }): { targetsVersion: number };
  close(): Promise<void>;
}

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function point(threshold: number, far: number, impostorPairs: number) {
  return { threshold, calibration: { data: 'test pairs', genuinePairs: 140, impostorPairs, far, tar: 0.95, date: '2026-12-02' } };
}

/** The lock the gate's runtime was provisioned from, and one with another dependency set (a release needing a new zod). */
const runtimeLock = Buffer.from(JSON.stringify({ name: 'egate', lockfileVersion: 3, packages: { 'node_modules/zod': { version: '3.23.8' } } }));
export const otherLock = Buffer.from(JSON.stringify({ name: 'egate', lockfileVersion: 3, packages: { 'node_modules/zod': { version: '4.0.0' } } }));

export async function updateWorld(): Promise<UpdateWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'egate-update-'));
  const keys = join(dir, 'keys');
  const repo = join(dir, 'repo');
  const dataDir = join(dir, 'data');
  generateKeys(keys);
  initRepository({ repoDir: repo, keyDir: keys });
  installTrustedRoot(dataDir, readFileSync(join(repo, 'metadata', '1.root.json')));
  // The gate's runtime, as `npm ci --omit=dev` left it: the lock it was provisioned from.
  const installRoot = join(dataDir, 'releases');
  mkdirSync(installRoot, { recursive: true });
  writeFileSync(join(installRoot, 'package-lock.json'), runtimeLock);
  const server = await serve(repo);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  const publish: UpdateWorld['publish'] = (release, o = {}) => {
    const src = join(dir, `src-${++n}`);
    const bundle = join(src, 'bundle');
    mkdirSync(join(src, 'models'), { recursive: true });
    mkdirSync(bundle, { recursive: true });
    copyFileSync(join(HERE, 'fixtures', 'release-main.mjs'), join(bundle, 'main.mjs'));
    writeFileSync(join(bundle, 'variant.json'), JSON.stringify({ variant: o.variant ?? 'good', release }));
    writeFileSync(join(bundle, 'egate-release.json'), JSON.stringify({ argv: ['main.mjs'], ...(o.lock === 'none' ? {} : { lockSha256: sha(o.lock === 'other' ? otherLock : runtimeLock) }) }));
    if (o.bundleBytes) writeFileSync(join(bundle, 'payload.bin'), randomBytes(o.bundleBytes));
    execFileSync('tar', ['-czf', join(src, 'egate.tar.gz'), '-C', bundle, '.']);
    const feature = randomBytes(120_000);
    const detect = randomBytes(40_000);
    writeFileSync(join(src, 'models', 'fr_feature.onnx'), feature);
    writeFileSync(join(src, 'models', 'fr_detect.onnx'), detect);
    const m = o.models ?? 'none';
    const ops = { operatingPoints: { 'fmr_1e-3': point(0.34, 9e-4, 1_198_786), 'fmr_1e-4': point(0.41, m === 'far-above-target' ? 2.1e-4 : 9.8e-5, 1_198_786) } };
    writeFileSync(join(src, 'models', 'operating-points.json'), JSON.stringify(ops));
    const manifest = {
      models: [
        { name: 'feature', file: 'fr_feature.onnx', sha256: m === 'manifest-hash-wrong' ? sha(randomBytes(8)) : sha(feature) },
        { name: 'detect', file: 'fr_detect.onnx', sha256: sha(detect) },
      ],
      calibration: { check: 'operating-points', file: 'operating-points.json', modelSha256: m === 'calibrated-for-other-model' ? sha(randomBytes(8)) : sha(feature), requires: ['fmr_1e-4'] },
    };
    writeFileSync(join(src, 'models', 'manifest.json'), JSON.stringify(manifest));
    const files: ReleaseFile[] = [
      { file: join(src, 'egate.tar.gz'), name: 'app/egate.tar.gz', kind: 'app' },
      ...['fr_feature.onnx', 'fr_detect.onnx', 'operating-points.json', 'manifest.json'].map((f) => ({ file: join(src, 'models', f), name: `models/${f}`, kind: 'model' as const })),
    ];
    return publishRelease({ repoDir: repo, keyDir: keys, version: release, files });
  };
  return {
    dir,
    keys,
    repo,
    dataDir,
    installRoot,
    runtimeLockSha256: sha(runtimeLock),
    url,
    server,
    publish,
    close: async () => {
      await new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
