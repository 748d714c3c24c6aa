import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Metadata, MetadataKind, type Targets } from '@tufjs/models';
import { Updater } from 'tuf-js';
import { assertStrictModes, FileModeError } from '../strict-modes.ts';
import { StagingFetcher } from './staging-fetcher.ts';
import { classifyTufError, UpdateRefusedError, type UpdateRefusal } from './update-error.ts';

/**
 * The gate's side of signed updates (issue 18, step 1: fetch and verify; installing into an
 * A/B slot comes later). The trusted state lives under <dataDir>/update/:
 *   metadata/root.json, timestamp.json, snapshot.json, targets.json   what the gate trusts
 *   staging/<targets version>/<target name>                            verified downloads
 *   staging/.incoming-<n>/, staging/.parts/                            work in progress
 * root.json is installed with the gate (installTrustedRoot) and only ever replaced by tuf-js
 * with a newer root signed by the threshold of the old AND the new root keys. The metadata
 * directory is checked with strict modes before every run: another local user who can write
 * root.json chooses what the gate installs.
 * Every refusal is reported through onEvent (the caller journals it) and thrown.
 */
export type UpdateEvent =
  | { type: 'UPDATE_REFUSED'; reason: UpdateRefusal; detail: string }
  | { type: 'UPDATE_STAGED'; release: string; targetsVersion: number; files: number; bytes: number; dir: string };

export interface StagedTarget {
  name: string;
  kind: string;
  length: number;
  sha256: string;
  file: string;
}

export interface StagedRelease {
  release: string;
  targetsVersion: number;
  dir: string;
  targets: StagedTarget[];
}

export interface GateUpdaterOptions {
  dataDir: string;
  /** Base URL of the repository: <url>/metadata/ and <url>/targets/. */
  repositoryUrl: string;
  onEvent: (e: UpdateEvent) => void;
  /** Per request; an unanswered request is UPDATE_UNREACHABLE. */
  fetchTimeoutMs?: number;
}

const TARGET_NAME = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

export const updateMetadataDir = (dataDir: string): string => join(dataDir, 'update', 'metadata');

/** Provisioning: writes root version 1 as the gate's trusted root (directory 0700, file 0600). */
export function installTrustedRoot(dataDir: string, rootJson: Buffer | string): string {
  const dir = updateMetadataDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, 'root.json');
  writeFileSync(file, rootJson, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export class GateUpdater {
  private readonly metadataDir: string;
  private readonly stagingDir: string;

  constructor(private readonly o: GateUpdaterOptions) {
    this.metadataDir = updateMetadataDir(o.dataDir);
    this.stagingDir = join(o.dataDir, 'update', 'staging');
  }

  /** Refreshes the metadata and downloads every target of the newest release into staging. */
  async fetchRelease(): Promise<StagedRelease> {
    let phase: 'metadata' | 'target' = 'metadata';
    let fetcher: StagingFetcher | undefined;
    let incoming: string | undefined;
    try {
      this.checkTrust();
      fetcher = new StagingFetcher(join(this.stagingDir, '.parts'), this.o.fetchTimeoutMs ?? 30_000);
      const base = this.o.repositoryUrl.replace(/\/+$/, '');
      const tuf = new Updater({ metadataDir: this.metadataDir, metadataBaseUrl: `${base}/metadata`, targetBaseUrl: `${base}/targets`, fetcher });
      await tuf.refresh();
      // tuf-js persists targets.json only after verifying it: this is the trusted list.
      const targets = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(readFileSync(join(this.metadataDir, 'targets.json'), 'utf8'))) as Metadata<Targets>;
      const names = Object.keys(targets.signed.targets).sort();
      const version = targets.signed.version;
      incoming = join(this.stagingDir, `.incoming-${version}`);
      rmSync(incoming, { recursive: true, force: true });
      phase = 'target';
      const staged: StagedTarget[] = [];
      let release = '';
      for (const name of names) {
        if (!TARGET_NAME.test(name)) throw new UpdateRefusedError('UPDATE_TARGET_UNKNOWN', `target name ${JSON.stringify(name)} is not a plain relative path`);
        const info = await tuf.getTargetInfo(name);
        if (!info) throw new UpdateRefusedError('UPDATE_TARGET_UNKNOWN', `target ${name} vanished from the verified metadata`);
        const dest = join(incoming, name);
        mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
        await tuf.downloadTarget(info, dest);
        const custom = info.custom as { kind?: string; release?: string };
        if (custom.kind === 'app' || !release) release = String(custom.release ?? `targets-${version}`);
        staged.push({ name, kind: String(custom.kind ?? 'unknown'), length: info.length, sha256: info.hashes.sha256 ?? '', file: dest });
      }
      const dir = join(this.stagingDir, String(version));
      rmSync(dir, { recursive: true, force: true });
      const manifest = { release, targetsVersion: version, targets: staged.map(({ file: _f, ...t }) => t) };
      writeFileSync(join(incoming, 'release.json'), JSON.stringify(manifest, null, 2), { mode: 0o600 });
      // Complete or absent: a power cut before this rename leaves only .incoming-<n>.
      renameSync(incoming, dir);
      incoming = undefined;
      const result: StagedRelease = { release, targetsVersion: version, dir, targets: staged.map((t) => ({ ...t, file: join(dir, t.name) })) };
      this.o.onEvent({ type: 'UPDATE_STAGED', release, targetsVersion: version, files: staged.length, bytes: staged.reduce((n, t) => n + t.length, 0), dir });
      return result;
    } catch (err) {
      const reason = err instanceof FileModeError ? 'UPDATE_TRUST_UNSAFE' : classifyTufError(err, phase, fetcher?.lastError);
      const detail = err instanceof Error ? err.message : String(err);
      this.o.onEvent({ type: 'UPDATE_REFUSED', reason, detail });
      throw err instanceof UpdateRefusedError ? err : new UpdateRefusedError(reason, `update refused (${reason}): ${detail}`, { cause: err });
    } finally {
      if (incoming) rmSync(incoming, { recursive: true, force: true });
    }
  }

  private checkTrust(): void {
    const root = join(this.metadataDir, 'root.json');
    if (!existsSync(root)) throw new UpdateRefusedError('UPDATE_TRUST_UNSAFE', `no trusted update root at ${root}: provision the gate with the repository's root.json`);
    assertStrictModes(this.metadataDir, 'update metadata directory');
    assertStrictModes(root, 'trusted update root', { secret: false });
  }
}
