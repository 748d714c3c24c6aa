/**
 * Creates and signs gate releases as a TUF repository that any static HTTP server can
 * publish (scripts/release/tuf-repository.ts does the work; tests call it directly).
 *
 *   node --import tsx scripts/release-tool.ts keys --keys var/release-keys
 *   node --import tsx scripts/release-tool.ts init --keys var/release-keys --repo var/repo
 *   node --import tsx scripts/release-tool.ts publish --keys var/release-keys --repo var/repo \
 *        --release 1.4.0 --app dist/egate-1.4.0.tar.gz --model models/face.onnx --model models/det.onnx
 *   node --import tsx scripts/release-tool.ts bundle --keys var/release-keys --repo var/repo --release 1.4.0
 *        (builds the application bundle and model targets from this checkout and publishes them)
 *   node --import tsx scripts/release-tool.ts timestamp --keys var/release-keys --repo var/repo
 *   node --import tsx scripts/release-tool.ts rotate-root --keys var/release-keys --new-keys var/keys-2 --repo var/repo
 *
 * The gate is provisioned with <repo>/metadata/1.root.json as <dataDir>/update/metadata/root.json.
 */
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRelease } from './release/bundle.ts';
import { Command } from 'commander';
import { DEFAULT_POLICY, generateKeys, initRepository, publishRelease, refreshTimestamp, ROLES, rotateRoot } from './release/tuf-repository.ts';

const program = new Command('release-tool').description('create and sign egate releases (TUF repository: root, targets, snapshot, timestamp)');
const policyText = ROLES.map((r) => `${r} ${DEFAULT_POLICY.threshold[r]}-of-${DEFAULT_POLICY.keys[r]} keys, expires in ${DEFAULT_POLICY.expiryDays[r]} d`).join('; ');

program
  .command('keys')
  .description(`create the Ed25519 key files of every role (mode 0600; ${policyText})`)
  .requiredOption('--keys <dir>', 'directory for the key files (created 0700)')
  .action((o: { keys: string }) => {
    generateKeys(o.keys);
    console.log(JSON.stringify({ keys: o.keys }));
  });

program
  .command('init')
  .description('write root version 1 (signed by the root keys) into <repo>/metadata')
  .requiredOption('--keys <dir>')
  .requiredOption('--repo <dir>', 'repository directory the HTTP server publishes')
  .action((o: { keys: string; repo: string }) => {
    const root = initRepository({ repoDir: o.repo, keyDir: o.keys });
    console.log(JSON.stringify({ root: `${o.repo}/metadata/1.root.json`, expires: root.signed.expires }));
  });

const collect = (v: string, prev: string[]): string[] => [...prev, v];

program
  .command('publish')
  .description('publish a release: the application bundle and each model file as targets, then snapshot and timestamp')
  .requiredOption('--keys <dir>')
  .requiredOption('--repo <dir>')
  .requiredOption('--release <version>', 'release label, e.g. 1.4.0')
  .requiredOption('--app <tarball>', "the gate's application bundle")
  .option('--model <file>', 'a model file (repeatable)', collect, [] as string[])
  .action((o: { keys: string; repo: string; release: string; app: string; model: string[] }) => {
    const files = [
      { file: o.app, name: 'app/egate.tar.gz', kind: 'app' as const },
      ...o.model.map((m) => ({ file: m, name: `models/${basename(m).toLowerCase()}`, kind: 'model' as const })),
    ];
    console.log(JSON.stringify(publishRelease({ repoDir: o.repo, keyDir: o.keys, version: o.release, files })));
  });

program
  .command('bundle')
  .description("build the gate's application bundle (product directories, package.json and lock; no tests or tools) and its model targets from this checkout; with --keys and --repo, publish them as a signed release")
  .requiredOption('--release <version>', 'release label, e.g. 1.4.0')
  .option('--out <dir>', 'where to write the bundle and models (default: a temporary directory)')
  .option('--keys <dir>')
  .option('--repo <dir>')
  .action((o: { release: string; out?: string; keys?: string; repo?: string }) => {
    const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
    const built = buildRelease({ root, release: o.release, ...(o.out ? { outDir: o.out } : {}) });
    const published = o.keys && o.repo ? publishRelease({ repoDir: o.repo, keyDir: o.keys, version: o.release, files: built.files }) : undefined;
    console.log(JSON.stringify({ bundle: built.bundle, lockSha256: built.lockSha256, targets: built.files.map((f) => f.name), dir: built.dir, ...(published ? { published } : {}) }));
  });

program
  .command('timestamp')
  .description('re-sign the timestamp for the current snapshot (run daily: gates refuse a stale one as frozen)')
  .requiredOption('--keys <dir>')
  .requiredOption('--repo <dir>')
  .action((o: { keys: string; repo: string }) => {
    console.log(JSON.stringify({ timestampVersion: refreshTimestamp({ repoDir: o.repo, keyDir: o.keys }) }));
  });

program
  .command('rotate-root')
  .description('write the next root version naming the keys in --new-keys, signed by the old and the new root keys')
  .requiredOption('--keys <dir>', 'the current key files (their root keys sign the rotation)')
  .requiredOption('--new-keys <dir>', 'key files of every role from now on (make them with `keys`)')
  .requiredOption('--repo <dir>')
  .action((o: { keys: string; newKeys: string; repo: string }) => {
    const root = rotateRoot({ repoDir: o.repo, oldKeyDir: o.keys, newKeyDir: o.newKeys });
    console.log(JSON.stringify({ rootVersion: root.signed.version, expires: root.signed.expires }));
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
