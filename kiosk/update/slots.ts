import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkReleaseModels } from './model-check.ts';
import { fsyncPath, fsyncTree, listFiles, readPointer, readSlotManifest, setPointer, sha256Of, SLOT_MANIFEST, slotProblem, type SlotManifest } from './slot-files.ts';
import { UpdateRefusedError } from './update-error.ts';
import type { StagedRelease } from './updater.ts';

/**
 * The gate's two release slots (issue 18 item 2) under an install root:
 *   slots/a/, slots/b/     complete releases: app/ (the unpacked bundle), models/, slot.json last
 *   slots/.prep-<slot>/    a release being prepared (never started; removed by recover())
 *   current   → slots/x    symlink: the release the launcher starts
 *   confirmed → slots/y    symlink: the last release that passed its health check
 * A release is prepared only into the slot neither pointer names, so at every instant both
 * pointers name complete, verified slots; pointers move by rename (atomic) and every write is
 * fsynced before the next step. A power cut at any step therefore leaves `confirmed` whole,
 * and recover() puts `current` back on it if the switch was not confirmed.
 */
export const SLOTS = ['a', 'b'] as const;
export type SlotName = (typeof SLOTS)[number];

/** Step boundaries, reported before each step runs (journal and fault injection hook here). */
export type InstallStep =
  | 'prepare_begin'
  | 'targets_copied'
  | 'bundle_unpacked'
  | 'models_checked'
  | 'slot_synced'
  | 'old_slot_removed'
  | 'slot_renamed'
  | 'switching'
  | 'switched'
  | 'confirming'
  | 'confirmed'
  | 'rolling_back'
  | 'rolled_back';

// A built bundle also names its release and file hashes (scripts/release/bundle.ts): argv and the lock are read here.
const entrySchema = z.object({ argv: z.array(z.string().min(1).max(512)).min(1).max(32), lockSha256: z.string().regex(/^[0-9a-f]{64}$/) });
/**
 * The lock the installed runtime (<installRoot>/node_modules, found by every slot through
 * Node's parent-directory lookup) was provisioned from with `npm ci --omit=dev`.
 */
export const RUNTIME_LOCK = 'package-lock.json';
/** The bundle names how it is started: node arguments relative to its own root. */
export const BUNDLE_ENTRY = 'egate-release.json';

export interface RecoverResult {
  current: SlotName | undefined;
  /** What recovery changed: a half-prepared slot dropped, an unconfirmed switch undone. */
  actions: string[];
}

export class ReleaseSlots {
  readonly slotsDir: string;

  constructor(
    readonly root: string,
    private readonly onStep: (step: InstallStep) => void = () => {},
  ) {
    this.slotsDir = join(root, 'slots');
    mkdirSync(this.slotsDir, { recursive: true, mode: 0o755 });
  }

  slotDir(slot: SlotName): string {
    return join(this.slotsDir, slot);
  }

  current(): SlotName | undefined {
    return asSlot(readPointer(this.root, 'current'));
  }

  confirmed(): SlotName | undefined {
    return asSlot(readPointer(this.root, 'confirmed'));
  }

  manifest(slot: SlotName): SlotManifest {
    return readSlotManifest(this.slotDir(slot));
  }

  /** Why the slot is not a complete verified release, or undefined. */
  problem(slot: SlotName): string | undefined {
    return slotProblem(this.slotDir(slot));
  }

  /** SHA-256 of the lock the installed runtime was provisioned from; undefined when none is. */
  runtimeLockSha256(): string | undefined {
    const f = join(this.root, RUNTIME_LOCK);
    return existsSync(f) ? sha256Of(f) : undefined;
  }

  /** The slot a new release goes to: the one no pointer names. */
  spareSlot(): SlotName {
    const used = new Set([this.current(), this.confirmed()]);
    const spare = SLOTS.find((s) => !used.has(s));
    if (!spare) throw new Error('both slots are in use (a switch awaits its health check): recover() first');
    return spare;
  }

  /**
   * Makes the spare slot a complete copy of a staged (TUF-verified) release: targets copied
   * and re-hashed, bundle unpacked, models and calibration checked, every file fsynced,
   * slot.json written last, then renamed into place. The running release is not touched.
   */
  prepare(staged: StagedRelease): SlotName {
    const slot = this.spareSlot();
    const prep = join(this.slotsDir, `.prep-${slot}`);
    try {
      return this.#prepareInto(staged, slot, prep);
    } catch (err) {
      // A refused release leaves nothing behind (a power cut's leftovers go at recover()).
      rmSync(prep, { recursive: true, force: true });
      throw err;
    }
  }

  #prepareInto(staged: StagedRelease, slot: SlotName, prep: string): SlotName {
    this.onStep('prepare_begin');
    rmSync(prep, { recursive: true, force: true });
    mkdirSync(join(prep, 'models'), { recursive: true });
    let bundle: string | undefined;
    for (const t of staged.targets) {
      if (sha256Of(t.file) !== t.sha256 || statSync(t.file).size !== t.length) throw new UpdateRefusedError('UPDATE_CORRUPT', `staged ${t.name} no longer matches its signed hash`);
      if (t.kind === 'app') bundle = t.file;
      else if (t.kind === 'model' && /^models\/[a-z0-9][a-z0-9._-]*$/.test(t.name)) copyFileSync(t.file, join(prep, t.name));
      else throw new UpdateRefusedError('UPDATE_TARGET_UNKNOWN', `target ${t.name} of kind ${t.kind} has no place in a slot`);
    }
    if (!bundle) throw new UpdateRefusedError('UPDATE_BUNDLE_INVALID', `release ${staged.release} has no application bundle`);
    this.onStep('targets_copied');
    const { argv, lockSha256 } = unpackBundle(bundle, join(prep, 'app'));
    // Refused before anything is switched: the release would start on dependencies it was not built with.
    const runtime = this.runtimeLockSha256();
    if (runtime !== lockSha256) {
      throw new UpdateRefusedError('UPDATE_RUNTIME_MISMATCH', `release ${staged.release} needs the runtime of lock ${lockSha256.slice(0, 12)}, the gate's runtime is ${runtime ? `of lock ${runtime.slice(0, 12)}` : `not provisioned (no ${RUNTIME_LOCK} in ${this.root})`}`);
    }
    this.onStep('bundle_unpacked');
    checkReleaseModels(join(prep, 'models'));
    this.onStep('models_checked');
    const files = listFiles(prep).map((path) => ({ path, length: statSync(join(prep, path)).size, sha256: sha256Of(join(prep, path)) }));
    const manifest: SlotManifest = { release: staged.release, targetsVersion: staged.targetsVersion, argv, preparedAt: new Date().toISOString(), files };
    writeFileSync(join(prep, SLOT_MANIFEST), JSON.stringify(manifest, null, 1));
    fsyncTree(prep);
    this.onStep('slot_synced');
    rmSync(this.slotDir(slot), { recursive: true, force: true });
    this.onStep('old_slot_removed');
    renameSync(prep, this.slotDir(slot));
    fsyncPath(this.slotsDir);
    this.onStep('slot_renamed');
    return slot;
  }

  /** Points `current` at a complete, verified slot (the switch; `confirmed` stays behind). */
  switchTo(slot: SlotName): void {
    const problem = this.problem(slot);
    if (problem) throw new UpdateRefusedError('UPDATE_CORRUPT', `slot ${slot} is not a complete release: ${problem}`);
    this.onStep('switching');
    setPointer(this.root, 'current', `slots/${slot}`);
    this.onStep('switched');
  }

  /** The release in `current` passed its health check: it is the one to come back to. */
  confirm(): void {
    const cur = this.current();
    if (!cur) throw new Error('nothing to confirm: no current release');
    this.onStep('confirming');
    setPointer(this.root, 'confirmed', `slots/${cur}`);
    this.onStep('confirmed');
  }

  /** Back to the confirmed release. */
  rollback(): SlotName {
    const conf = this.confirmed();
    if (!conf) throw new Error('no confirmed release to go back to');
    this.onStep('rolling_back');
    setPointer(this.root, 'current', `slots/${conf}`);
    this.onStep('rolled_back');
    return conf;
  }

  /** First install (provisioning): the slot becomes current and confirmed at once. */
  adopt(slot: SlotName): void {
    const problem = this.problem(slot);
    if (problem) throw new UpdateRefusedError('UPDATE_CORRUPT', `slot ${slot} is not a complete release: ${problem}`);
    setPointer(this.root, 'current', `slots/${slot}`);
    setPointer(this.root, 'confirmed', `slots/${slot}`);
  }

  /**
   * After a restart or a power cut, before anything starts: drops half-prepared slots and
   * stray pointer files; a `current` that was never confirmed (the health check did not
   * finish) or that is not whole goes back to `confirmed`. Never touches the confirmed slot.
   */
  recover(): RecoverResult {
    const actions: string[] = [];
    for (const f of readdirSync(this.slotsDir)) {
      if (f.startsWith('.prep-')) {
        rmSync(join(this.slotsDir, f), { recursive: true, force: true });
        actions.push(`removed ${f}`);
      }
    }
    for (const f of readdirSync(this.root)) if (/^\.(current|confirmed)\.tmp-/.test(f)) rmSync(join(this.root, f), { force: true });
    const conf = this.confirmed();
    const cur = this.current();
    if (conf && cur !== conf) {
      setPointer(this.root, 'current', `slots/${conf}`);
      actions.push(`current ${cur ?? 'none'} was not confirmed: back to ${conf}`);
    }
    for (const s of SLOTS) {
      if (s !== this.confirmed() && existsSync(this.slotDir(s)) && this.problem(s)) {
        rmSync(this.slotDir(s), { recursive: true, force: true });
        actions.push(`removed incomplete slot ${s}`);
      }
    }
    fsyncPath(this.root);
    return { current: this.current(), actions };
  }
}

function asSlot(target: string | undefined): SlotName | undefined {
  const m = target ? /^slots\/(a|b)$/.exec(target) : null;
  return m ? (m[1] as SlotName) : undefined;
}

/**
 * Unpacks the bundle with GNU tar (which refuses members with `..` and strips a leading `/`),
 * then walks the tree: only directories and regular files — a link could point anywhere —
 * and an egate-release.json naming how to start it.
 */
function unpackBundle(tarball: string, dest: string): { argv: string[]; lockSha256: string } {
  mkdirSync(dest, { recursive: true });
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dest, '--no-same-owner', '--no-same-permissions'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
    listFiles(dest);
  } catch (e) {
    throw new UpdateRefusedError('UPDATE_BUNDLE_INVALID', `the application bundle does not unpack cleanly: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).slice(0, 300)}`);
  }
  const entry = join(dest, BUNDLE_ENTRY);
  if (!existsSync(entry)) throw new UpdateRefusedError('UPDATE_BUNDLE_INVALID', `the application bundle has no ${BUNDLE_ENTRY}`);
  const parsed = entrySchema.safeParse(JSON.parse(readFileSync(entry, 'utf8')));
  if (!parsed.success) throw new UpdateRefusedError('UPDATE_BUNDLE_INVALID', `${BUNDLE_ENTRY}: ${parsed.error.message.slice(0, 300)}`);
  for (const a of parsed.data.argv) if (a.startsWith('/') || a.split('/').includes('..')) throw new UpdateRefusedError('UPDATE_BUNDLE_INVALID', `${BUNDLE_ENTRY}: argument ${a} leaves the bundle`);
  return parsed.data;
}
