import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GateUpdater, installTrustedRoot, type UpdateEvent } from '../../kiosk/update/updater.ts';
import { UpdateRefusedError, type UpdateRefusal } from '../../kiosk/update/update-error.ts';
import { DEFAULT_POLICY, generateKeys, initRepository, loadRoleKeys, publishRelease, rotateRoot, signWith, type ReleaseFile } from '../../scripts/release/tuf-repository.ts';
import { Metadata, MetadataKind } from '@tufjs/models';

/**
 * Every attack class of TUF's threat model against the gate's updater, each with a release
 * made by the release tool's library and served by a plain node:http static server on
 * 127.0.0.1; the attacker edits the served directory between releases.
 */
interface World {
  root: string;
  keys: string;
  repo: string;
  dataDir: string;
  files: ReleaseFile[];
  url: string;
  server: Server;
  events: UpdateEvent[];
  updater: GateUpdater;
}

const worlds: World[] = [];
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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

async function world(): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'egate-tuf-'));
  const keys = join(root, 'keys');
  const repo = join(root, 'repo');
  const dataDir = join(root, 'data');
  const src = join(root, 'src');
  mkdirSync(join(src, 'bundle'), { recursive: true });
  writeFileSync(join(src, 'bundle', 'main.js'), `// release bundle ${randomBytes(8).toString('hex')}\n`);
  execFileSync('tar', ['-czf', join(src, 'egate.tar.gz'), '-C', join(src, 'bundle'), '.']);
  writeFileSync(join(src, 'face.onnx'), randomBytes(150_000));
  writeFileSync(join(src, 'detector.onnx'), randomBytes(60_000));
  const files: ReleaseFile[] = [
    { file: join(src, 'egate.tar.gz'), name: 'app/egate.tar.gz', kind: 'app' },
    { file: join(src, 'face.onnx'), name: 'models/face.onnx', kind: 'model' },
    { file: join(src, 'detector.onnx'), name: 'models/detector.onnx', kind: 'model' },
  ];
  generateKeys(keys);
  initRepository({ repoDir: repo, keyDir: keys });
  installTrustedRoot(dataDir, readFileSync(join(repo, 'metadata', '1.root.json')));
  const server = await serve(repo);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const events: UpdateEvent[] = [];
  const updater = new GateUpdater({ dataDir, repositoryUrl: url, onEvent: (e) => events.push(e), fetchTimeoutMs: 20_000 });
  const w = { root, keys, repo, dataDir, files, url, server, events, updater };
  worlds.push(w);
  return w;
}

const meta = (w: World, name: string): string => join(w.repo, 'metadata', name);

/** The gate refuses with `code`, journals the same code, and stages nothing. */
async function refused(w: World, code: UpdateRefusal): Promise<void> {
  const before = stagedVersions(w);
  try {
    await w.updater.fetchRelease();
    assert.unreachable(`expected ${code}`);
  } catch (err) {
    if (!(err instanceof UpdateRefusedError)) throw err;
    assert.is(err.code, code, err.message);
  }
  const last = w.events.at(-1);
  assert.equal(last?.type === 'UPDATE_REFUSED' ? last.reason : last, code);
  assert.equal(stagedVersions(w), before, 'nothing new staged');
  const staging = join(w.dataDir, 'update', 'staging');
  if (existsSync(staging)) {
    assert.equal(readdirSync(staging).filter((f) => f.startsWith('.incoming')), [], 'no half-staged release left');
    if (existsSync(join(staging, '.parts'))) assert.equal(readdirSync(join(staging, '.parts')), [], 'no partial download left');
  }
}

function stagedVersions(w: World): string[] {
  const staging = join(w.dataDir, 'update', 'staging');
  return existsSync(staging) ? readdirSync(staging).filter((f) => /^\d+$/.test(f)).sort() : [];
}

test.after(() => {
  for (const w of worlds) {
    if (w.server.listening) w.server.close();
    rmSync(w.root, { recursive: true, force: true });
  }
});

test('positive: a signed release is verified and staged byte for byte; the next one too', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  const r1 = await w.updater.fetchRelease();
  assert.is(r1.release, '1.0.0');
  assert.is(r1.targetsVersion, 1);
  assert.equal(r1.targets.map((t) => t.name), ['app/egate.tar.gz', 'models/detector.onnx', 'models/face.onnx']);
  for (const f of w.files) assert.ok(readFileSync(join(r1.dir, f.name)).equals(readFileSync(f.file)), f.name);
  const manifest = JSON.parse(readFileSync(join(r1.dir, 'release.json'), 'utf8')) as { release: string; targets: { kind: string }[] };
  assert.is(manifest.release, '1.0.0');
  assert.equal(manifest.targets.map((t) => t.kind), ['app', 'model', 'model']);
  writeFileSync(w.files[1]!.file, randomBytes(150_000));
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.1.0', files: w.files });
  const r2 = await w.updater.fetchRelease();
  assert.is(r2.release, '1.1.0');
  assert.is(r2.targetsVersion, 2);
  assert.ok(readFileSync(join(r2.dir, 'models/face.onnx')).equals(readFileSync(w.files[1]!.file)));
  assert.equal(w.events.map((e) => e.type), ['UPDATE_STAGED', 'UPDATE_STAGED']);
});

test('unsigned: timestamp without signatures, and a whole release signed by keys the root does not name', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  const ts = JSON.parse(readFileSync(meta(w, 'timestamp.json'), 'utf8')) as { signatures: unknown[] };
  writeFileSync(meta(w, 'timestamp.json'), JSON.stringify({ ...ts, signatures: [] }));
  await refused(w, 'UPDATE_UNSIGNED');
  const rogue = join(w.root, 'rogue-keys');
  generateKeys(rogue);
  publishRelease({ repoDir: w.repo, keyDir: rogue, version: '6.6.6', files: w.files });
  await refused(w, 'UPDATE_UNSIGNED');
});

test('unsigned: targets signed by a rogue key while snapshot and timestamp keys are genuine', async () => {
  const w = await world();
  const mixed = join(w.root, 'mixed-keys');
  cpSync(w.keys, mixed, { recursive: true });
  rmSync(join(mixed, 'targets-1.key'));
  rmSync(join(mixed, 'targets-2.key'));
  generateKeys(join(w.root, 'rogue'), { ...DEFAULT_POLICY, keys: { root: 0, targets: 1, snapshot: 0, timestamp: 0 } });
  cpSync(join(w.root, 'rogue', 'targets-1.key'), join(mixed, 'targets-1.key'));
  publishRelease({ repoDir: w.repo, keyDir: mixed, version: '6.6.6', files: w.files });
  await refused(w, 'UPDATE_UNSIGNED');
});

test('unsigned: a new root signed by 1 of the 2 root keys required is refused', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  const v1 = Metadata.fromJSON(MetadataKind.Root, JSON.parse(readFileSync(meta(w, '1.root.json'), 'utf8')));
  const body = { ...v1.signed.toJSON(), version: 2 };
  const v2 = Metadata.fromJSON(MetadataKind.Root, { signed: body, signatures: [] });
  signWith(v2, loadRoleKeys(w.keys, 'root').slice(0, 1));
  writeFileSync(meta(w, '2.root.json'), JSON.stringify(v2.toJSON()));
  await refused(w, 'UPDATE_UNSIGNED');
});

test('root rotation: the gate follows a root signed by old and new keys; the dropped keys no longer sign', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  await w.updater.fetchRelease();
  const fresh = join(w.root, 'new-keys');
  generateKeys(fresh);
  rotateRoot({ repoDir: w.repo, oldKeyDir: w.keys, newKeyDir: fresh });
  publishRelease({ repoDir: w.repo, keyDir: fresh, version: '2.0.0', files: w.files });
  assert.is((await w.updater.fetchRelease()).release, '2.0.0');
  const trusted = JSON.parse(readFileSync(join(w.dataDir, 'update', 'metadata', 'root.json'), 'utf8')) as { signed: { version: number } };
  assert.is(trusted.signed.version, 2);
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '6.6.6', files: w.files });
  await refused(w, 'UPDATE_UNSIGNED');
});

test('expired: targets metadata past its expiry', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files, policy: { ...DEFAULT_POLICY, expiryDays: { ...DEFAULT_POLICY.expiryDays, targets: -1 } } });
  await refused(w, 'UPDATE_EXPIRED');
});

test('frozen: the newest timestamp the repository offers is stale', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files, now: new Date(Date.now() - 2 * 86_400_000) });
  await refused(w, 'UPDATE_FROZEN');
});

test('rollback: after release 2, the mirror serves release 1 again', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  const oldTimestamp = readFileSync(meta(w, 'timestamp.json'));
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '2.0.0', files: w.files });
  assert.is((await w.updater.fetchRelease()).release, '2.0.0');
  writeFileSync(meta(w, 'timestamp.json'), oldTimestamp);
  await refused(w, 'UPDATE_ROLLBACK');
});

test('mix-and-match: release 2 served with release 1 targets metadata', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '2.0.0', files: w.files });
  writeFileSync(meta(w, '2.targets.json'), readFileSync(meta(w, '1.targets.json')));
  await refused(w, 'UPDATE_MIX_AND_MATCH');
});

const targetFile = (w: World, dir: string, name: string): string => {
  const f = readdirSync(join(w.repo, 'targets', dir)).find((x) => x.endsWith(`.${name}`));
  return join(w.repo, 'targets', dir, f!);
};

test('oversized: the server sends more bytes than the signed length', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  const f = targetFile(w, 'app', 'egate.tar.gz');
  writeFileSync(f, Buffer.concat([readFileSync(f), randomBytes(1_000_000)]));
  await refused(w, 'UPDATE_OVERSIZED');
});

test('corrupt download: a model with one byte changed (same length) is not staged', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  const f = targetFile(w, 'models', 'face.onnx');
  const bytes = readFileSync(f);
  bytes[1000] = bytes[1000]! ^ 0xff;
  writeFileSync(f, bytes);
  await refused(w, 'UPDATE_CORRUPT');
});

test('trust: a metadata directory others can write is refused before any download', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  chmodSync(join(w.dataDir, 'update', 'metadata'), 0o777);
  await refused(w, 'UPDATE_TRUST_UNSAFE');
});

test('oversized metadata: a timestamp.json past the client\'s limit is cut off, not read to the end', async () => {
  const w = await world();
  publishRelease({ repoDir: w.repo, keyDir: w.keys, version: '1.0.0', files: w.files });
  const ts = JSON.parse(readFileSync(meta(w, 'timestamp.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(meta(w, 'timestamp.json'), JSON.stringify({ ...ts, padding: 'x'.repeat(2_000_000) }));
  await refused(w, 'UPDATE_OVERSIZED');
});

test('release-tool CLI: keys, init, publish and timestamp make a repository the gate accepts', async () => {
  const w = await world();
  const keys = join(w.root, 'cli-keys');
  const repo = join(w.root, 'cli-repo');
  const tool = (...args: string[]): string =>
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'release-tool.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  tool('keys', '--keys', keys);
  assert.is(statSync(join(keys, 'root-1.key')).mode & 0o777, 0o600);
  tool('init', '--keys', keys, '--repo', repo);
  const out = JSON.parse(tool('publish', '--keys', keys, '--repo', repo, '--release', '3.1.0', '--app', w.files[0]!.file, '--model', w.files[1]!.file)) as { targets: { name: string }[] };
  assert.equal(out.targets.map((t) => t.name), ['app/egate.tar.gz', 'models/face.onnx']);
  assert.equal(JSON.parse(tool('timestamp', '--keys', keys, '--repo', repo)), { timestampVersion: 2 });
  const dataDir = join(w.root, 'cli-gate');
  installTrustedRoot(dataDir, readFileSync(join(repo, 'metadata', '1.root.json')));
  const server = await serve(repo);
  try {
    const events: UpdateEvent[] = [];
    const gate = new GateUpdater({ dataDir, repositoryUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, onEvent: (e) => events.push(e) });
    const r = await gate.fetchRelease();
    assert.is(r.release, '3.1.0');
    assert.ok(readFileSync(join(r.dir, 'app/egate.tar.gz')).equals(readFileSync(w.files[0]!.file)));
    assert.is(events[0]?.type, 'UPDATE_STAGED');
  } finally {
    server.close();
  }
});

test('unreachable: no repository answering is its own reason, not an attack', async () => {
  const w = await world();
  await new Promise<void>((resolve) => w.server.close(() => resolve()));
  await refused(w, 'UPDATE_UNREACHABLE');
});

test.run();
