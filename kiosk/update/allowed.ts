import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Staged rollout on the gate: the central system allows each gate, wave by wave, to install
 * signed releases up to a TUF targets version (command allow_update, written here by
 * kiosk/sync/command-apply.ts). TUF still decides what is genuine; this only decides when.
 */
export const allowedUpdatePath = (dataDir: string): string => join(dataDir, 'update', 'allowed.json');

const allowedSchema = z.object({ targetsVersion: z.number().int().positive(), release: z.string(), command: z.string() }).strict();

/** The highest targets version central allowed, or 0 (none yet, or an unreadable file: install nothing). */
export function allowedTargetsVersion(dataDir: string): number {
  const p = allowedUpdatePath(dataDir);
  if (!existsSync(p)) return 0;
  try {
    return allowedSchema.parse(JSON.parse(readFileSync(p, 'utf8'))).targetsVersion;
  } catch {
    return 0;
  }
}
