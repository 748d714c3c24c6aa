/**
 * The vendor's side of signed updates: a TUF repository (theupdateframework.io spec 1.0) that
 * a plain HTTP directory serves to the gates. Keys live in files (PKCS#8 PEM, Ed25519, mode
 * 0600), one file per key, named <role>-<n>.key; a role is signed with every key file of
 * that role present in the key directory, so a threshold of 2 needs two key files at hand.
 *
 * Layout of the repository directory (what the web server publishes):
 *   metadata/<v>.root.json, metadata/root.json     every root version (gates walk the chain)
 *   metadata/<v>.targets.json, metadata/<v>.snapshot.json   consistent snapshots
 *   metadata/timestamp.json                         the only file replaced in place
 *   targets/<dir>/<sha256>.<name>                   content-addressed target files
 * A release is written targets first, timestamp last, so a gate reading mid-publish sees the
 * previous release complete (consistent snapshots: nothing it refers to is overwritten).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
// Role is not re-exported by the package index; thresholds need it.
import { Role } from '@tufjs/models/dist/role.js';
import { Pkcs11Signer, type Pkcs11KeyRef } from '../../core/pkcs11-signer.ts';
import { Key, Metadata, MetaFile, Root, Signature, Snapshot, Targets, TargetFile, Timestamp } from '@tufjs/models';

export const ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type RoleName = (typeof ROLES)[number];

/** How many keys each role has and how many must sign; expiry of each role in days. */
export interface RepositoryPolicy {
  keys: Record<RoleName, number>;
  threshold: Record<RoleName, number>;
  expiryDays: Record<RoleName, number>;
}

export const DEFAULT_POLICY: RepositoryPolicy = {
  keys: { root: 3, targets: 2, snapshot: 1, timestamp: 1 },
  threshold: { root: 2, targets: 1, snapshot: 1, timestamp: 1 },
  expiryDays: { root: 365, targets: 90, snapshot: 7, timestamp: 1 },
};

const SPEC = '1.0.31';
const DAY_MS = 86_400_000;

export interface SigningKey {
  key: Key;
  /** Signs the canonical bytes: with a key file in memory, or on a PKCS#11 token. */
  sign: (data: Buffer) => Buffer;
}

/** TUF key object of an Ed25519 public key; keyid = sha256 of its canonical JSON. */
export function tufKey(publicKey: KeyObject): Key {
  const raw = (publicKey.export({ format: 'jwk' }).x as string) ?? '';
  const keyVal = { public: Buffer.from(raw, 'base64url').toString('hex') };
  const body = { keytype: 'ed25519', scheme: 'ed25519', keyval: keyVal };
  const keyID = createHash('sha256').update(canonicalize(body)).digest('hex');
  return new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal });
}

/** Creates the key files of every role (refuses to overwrite one). */
export function generateKeys(keyDir: string, policy: RepositoryPolicy = DEFAULT_POLICY): void {
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  for (const role of ROLES) {
    for (let n = 1; n <= policy.keys[role]; n++) {
      const file = join(keyDir, `${role}-${n}.key`);
      if (existsSync(file)) throw new Error(`key file ${file} exists; refusing to overwrite it`);
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    }
  }
}

/**
 * Every key of the role in keyDir, in name order: <role>-<n>.key (an Ed25519 PEM file) or
 * <role>-<n>.pkcs11.json ({ module, tokenLabel, keyLabel }: an ECDSA P-256 key on a PKCS#11
 * token, core/pkcs11-signer.ts; the PIN comes from EGATE_PKCS11_PIN, never from a file).
 */
export function loadRoleKeys(keyDir: string, role: RoleName): SigningKey[] {
  return readdirSync(keyDir)
    .filter((f) => f.startsWith(`${role}-`) && (f.endsWith('.key') || f.endsWith('.pkcs11.json')))
    .sort()
    .map((f) => {
      if (f.endsWith('.pkcs11.json')) return tokenKey(JSON.parse(readFileSync(join(keyDir, f), 'utf8')) as Omit<Pkcs11KeyRef, 'pin'>);
      const privateKey = createPrivateKey(readFileSync(join(keyDir, f), 'utf8'));
      return { key: tufKey(createPublicKey(privateKey)), sign: (data: Buffer) => sign(null, data, privateKey) };
    });
}

/** A token key as TUF sees it: keytype ecdsa, scheme ecdsa-sha2-nistp256, public key as PEM. */
function tokenKey(ref: Omit<Pkcs11KeyRef, 'pin'>): SigningKey {
  const pin = process.env.EGATE_PKCS11_PIN;
  if (!pin) throw new Error(`key ${ref.keyLabel} is on PKCS#11 token ${ref.tokenLabel}: set EGATE_PKCS11_PIN`);
  const full = { ...ref, pin };
  const signer = Pkcs11Signer.open(full);
  const keyVal = { public: signer.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
  signer.close();
  const body = { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: keyVal };
  const keyID = createHash('sha256').update(canonicalize(body)).digest('hex');
  return {
    key: new Key({ keyID, keyType: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyVal }),
    sign: (data) => {
      const s = Pkcs11Signer.open(full);
      try {
        return s.sign(data);
      } finally {
        s.close();
      }
    },
  };
}

/** Adds one signature per key (over the canonical JSON of `signed`, as tuf-js verifies). */
export function signWith(md: Metadata<Root | Targets | Snapshot | Timestamp>, keys: readonly SigningKey[]): void {
  for (const k of keys) {
    md.sign((data: Buffer) => new Signature({ keyID: k.key.keyID, sig: k.sign(data).toString('hex') }), true);
  }
}

/** Canonical bytes are what the client verifies; the file itself carries them pretty-less. */
function write(file: string, md: Metadata<Root | Targets | Snapshot | Timestamp>): Buffer {
  mkdirSync(dirname(file), { recursive: true });
  const bytes = Buffer.from(JSON.stringify(md.toJSON()));
  writeFileSync(file, bytes);
  return bytes;
}

const expires = (now: Date, days: number): string => new Date(now.getTime() + days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface InitOptions {
  repoDir: string;
  keyDir: string;
  policy?: RepositoryPolicy;
  now?: Date;
}

/** Root version 1 naming every role's keys and thresholds (the gate is provisioned with it). */
export function initRepository(o: InitOptions): Metadata<Root> {
  const policy = o.policy ?? DEFAULT_POLICY;
  const now = o.now ?? new Date();
  const roles = Object.fromEntries(ROLES.map((r) => [r, new Role({ keyIDs: [], threshold: policy.threshold[r] })]));
  const root = new Root({ version: 1, specVersion: SPEC, expires: expires(now, policy.expiryDays.root), consistentSnapshot: true, roles });
  for (const role of ROLES) {
    const keys = loadRoleKeys(o.keyDir, role);
    if (keys.length < policy.threshold[role]) throw new Error(`role ${role} needs ${policy.threshold[role]} key files, ${o.keyDir} has ${keys.length}`);
    for (const k of keys) root.addKey(k.key, role);
  }
  const md = new Metadata(root);
  signWith(md, loadRoleKeys(o.keyDir, 'root'));
  const bytes = write(join(o.repoDir, 'metadata', '1.root.json'), md);
  writeFileSync(join(o.repoDir, 'metadata', 'root.json'), bytes);
  return md;
}

/**
 * Root rotation (lost or compromised keys): root version n+1 names the keys found in
 * newKeyDir for every role and is signed by the old root keys (the gates' trusted root
 * demands its threshold) and by the new ones (the new root must satisfy itself). Releases
 * after it are signed with newKeyDir; metadata signed by a dropped key is refused.
 */
export function rotateRoot(o: { repoDir: string; oldKeyDir: string; newKeyDir: string; policy?: RepositoryPolicy; now?: Date }): Metadata<Root> {
  const policy = o.policy ?? DEFAULT_POLICY;
  const current = JSON.parse(readFileSync(join(o.repoDir, 'metadata', 'root.json'), 'utf8')) as { signed: { version: number } };
  const version = current.signed.version + 1;
  const roles = Object.fromEntries(ROLES.map((r) => [r, new Role({ keyIDs: [], threshold: policy.threshold[r] })]));
  const root = new Root({ version, specVersion: SPEC, expires: expires(o.now ?? new Date(), policy.expiryDays.root), consistentSnapshot: true, roles });
  for (const role of ROLES) for (const k of loadRoleKeys(o.newKeyDir, role)) root.addKey(k.key, role);
  const md = new Metadata(root);
  const signers = new Map([...loadRoleKeys(o.oldKeyDir, 'root'), ...loadRoleKeys(o.newKeyDir, 'root')].map((k) => [k.key.keyID, k]));
  signWith(md, [...signers.values()]);
  const bytes = write(join(o.repoDir, 'metadata', `${version}.root.json`), md);
  writeFileSync(join(o.repoDir, 'metadata', 'root.json'), bytes);
  return md;
}

export interface ReleaseFile {
  /** Local file to publish. */
  file: string;
  /** Target name the gate asks for, e.g. app/egate.tar.gz or models/face-recognition.onnx. */
  name: string;
  kind: 'app' | 'model';
}

export interface PublishOptions {
  repoDir: string;
  keyDir: string;
  version: string;
  files: readonly ReleaseFile[];
  policy?: RepositoryPolicy;
  now?: Date;
}

function latest(repoDir: string, role: 'targets' | 'snapshot'): number {
  const dir = join(repoDir, 'metadata');
  const versions = existsSync(dir) ? readdirSync(dir).map((f) => new RegExp(`^(\\d+)\\.${role}\\.json$`).exec(f)).filter((m) => m !== null).map((m) => Number(m[1])) : [];
  return versions.length ? Math.max(...versions) : 0;
}

function currentTimestampVersion(repoDir: string): number {
  const file = join(repoDir, 'metadata', 'timestamp.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { signed: { version: number } }).signed.version : 0;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export interface PublishedRelease {
  targetsVersion: number;
  snapshotVersion: number;
  timestampVersion: number;
  targets: { name: string; length: number; sha256: string }[];
}

/** Publishes a release: copies the targets, then signs targets, snapshot and timestamp. */
export function publishRelease(o: PublishOptions): PublishedRelease {
  const policy = o.policy ?? DEFAULT_POLICY;
  const now = o.now ?? new Date();
  const targets = new Targets({ version: latest(o.repoDir, 'targets') + 1, specVersion: SPEC, expires: expires(now, policy.expiryDays.targets) });
  const listed: PublishedRelease['targets'] = [];
  for (const f of o.files) {
    if (!/^[a-z0-9][a-z0-9._/-]*$/.test(f.name) || f.name.includes('..')) throw new Error(`bad target name ${f.name}`);
    const bytes = readFileSync(f.file);
    const hash = sha256(bytes);
    const out = join(o.repoDir, 'targets', posix.dirname(f.name), `${hash}.${posix.basename(f.name)}`);
    mkdirSync(dirname(out), { recursive: true });
    copyFileSync(f.file, out);
    targets.addTarget(new TargetFile({ path: f.name, length: bytes.length, hashes: { sha256: hash }, unrecognizedFields: { custom: { kind: f.kind, release: o.version, source: basename(f.file) } } }));
    listed.push({ name: f.name, length: bytes.length, sha256: hash });
  }
  const targetsMd = new Metadata(targets);
  signWith(targetsMd, loadRoleKeys(o.keyDir, 'targets'));
  const targetsBytes = write(join(o.repoDir, 'metadata', `${targets.version}.targets.json`), targetsMd);

  const snapshot = new Snapshot({
    version: latest(o.repoDir, 'snapshot') + 1,
    specVersion: SPEC,
    expires: expires(now, policy.expiryDays.snapshot),
    meta: { 'targets.json': new MetaFile({ version: targets.version, length: targetsBytes.length, hashes: { sha256: sha256(targetsBytes) } }) },
  });
  const snapshotMd = new Metadata(snapshot);
  signWith(snapshotMd, loadRoleKeys(o.keyDir, 'snapshot'));
  const snapshotBytes = write(join(o.repoDir, 'metadata', `${snapshot.version}.snapshot.json`), snapshotMd);
  const ts = writeTimestamp(o.repoDir, o.keyDir, snapshot.version, snapshotBytes, policy, now);
  return { targetsVersion: targets.version, snapshotVersion: snapshot.version, timestampVersion: ts, targets: listed };
}

function writeTimestamp(repoDir: string, keyDir: string, snapshotVersion: number, snapshotBytes: Buffer, policy: RepositoryPolicy, now: Date): number {
  const ts = new Timestamp({
    version: currentTimestampVersion(repoDir) + 1,
    specVersion: SPEC,
    expires: expires(now, policy.expiryDays.timestamp),
    snapshotMeta: new MetaFile({ version: snapshotVersion, length: snapshotBytes.length, hashes: { sha256: sha256(snapshotBytes) } }),
  });
  const md = new Metadata(ts);
  signWith(md, loadRoleKeys(keyDir, 'timestamp'));
  write(join(repoDir, 'metadata', 'timestamp.json'), md);
  return ts.version;
}

/**
 * Re-signs the timestamp for the current snapshot (the daily job: a timestamp expires in a
 * day so that a mirror replaying yesterday's repository is caught as a freeze).
 */
export function refreshTimestamp(o: { repoDir: string; keyDir: string; policy?: RepositoryPolicy; now?: Date }): number {
  const v = latest(o.repoDir, 'snapshot');
  if (v === 0) throw new Error(`no snapshot in ${o.repoDir}: publish a release first`);
  const bytes = readFileSync(join(o.repoDir, 'metadata', `${v}.snapshot.json`));
  return writeTimestamp(o.repoDir, o.keyDir, v, bytes, o.policy ?? DEFAULT_POLICY, o.now ?? new Date());
}
