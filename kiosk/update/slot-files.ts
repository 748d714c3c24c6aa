import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';

/**
 * File primitives of the A/B slots: durable writes (fsync of the file and of its directory,
 * so a power cut after the call cannot lose it) and the atomic pointer switch (a new symlink
 * renamed over the old one: any reader sees the old or the new target, never none).
 */

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Every regular file under `dir` (relative paths, sorted); refuses links and special files. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(dir, p));
      else throw new Error(`${relative(dir, p)} is neither a file nor a directory`);
    }
  };
  walk(dir);
  return out.sort();
}

/** fsyncs every file and directory under `dir`, deepest first, then `dir` itself. */
export function fsyncTree(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (lstatSync(p).isDirectory()) fsyncTree(p);
    else fsyncPath(p);
  }
  fsyncPath(dir);
}

export const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Points `link` at `target` atomically and durably (symlink beside it, rename, fsync dir). */
export function setPointer(dir: string, link: string, target: string): void {
  const tmp = join(dir, `.${link}.tmp-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, join(dir, link));
  fsyncPath(dir);
}

/** The target a pointer names, or undefined when there is none. */
export function readPointer(dir: string, link: string): string | undefined {
  try {
    return readlinkSync(join(dir, link));
  } catch {
    return undefined;
  }
}

/** What a complete slot holds: written last, so its presence means the slot is whole. */
export const slotManifestSchema = z.strictObject({
  release: z.string().min(1).max(64),
  targetsVersion: z.number().int().positive(),
  /** How the launcher starts the release: node arguments relative to the slot's app/. */
  argv: z.array(z.string().max(512)).min(1).max(32),
  preparedAt: z.string(),
  files: z.array(z.strictObject({ path: z.string(), length: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});
export type SlotManifest = z.infer<typeof slotManifestSchema>;

export const SLOT_MANIFEST = 'slot.json';

/**
 * Why a slot is not a complete verified release, or undefined when it is: slot.json present
 * and valid, every file it lists present with its length and SHA-256, nothing else there.
 */
export function slotProblem(dir: string): string | undefined {
  const mf = join(dir, SLOT_MANIFEST);
  if (!existsSync(mf)) return `${SLOT_MANIFEST} missing`;
  let m: SlotManifest;
  try {
    m = slotManifestSchema.parse(JSON.parse(readFileSync(mf, 'utf8')));
  } catch (e) {
    return `${SLOT_MANIFEST} invalid: ${(e as Error).message.slice(0, 200)}`;
  }
  let present: string[];
  try {
    present = listFiles(dir).filter((f) => f !== SLOT_MANIFEST);
  } catch (e) {
    return (e as Error).message;
  }
  const listed = new Map(m.files.map((f) => [f.path, f]));
  for (const f of present) if (!listed.has(f)) return `${f} is not listed in ${SLOT_MANIFEST}`;
  for (const f of m.files) {
    const p = join(dir, f.path);
    if (!existsSync(p)) return `${f.path} missing`;
    if (lstatSync(p).size !== f.length) return `${f.path} has ${lstatSync(p).size} bytes, ${f.length} expected`;
    if (sha256Of(p) !== f.sha256) return `${f.path} does not match its SHA-256`;
  }
  return undefined;
}

export function readSlotManifest(dir: string): SlotManifest {
  return slotManifestSchema.parse(JSON.parse(readFileSync(join(dir, SLOT_MANIFEST), 'utf8')));
}
