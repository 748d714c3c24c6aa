import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChipImage } from './sim-chip.ts';

/**
 * Loads a chip image written by scripts/make-passport.ts: passport.json names the files
 * by FID; EF.CardAccess (PACE) and the Active Authentication key are optional.
 */
export function loadChipImage(dir: string): ChipImage & { expect: string | null; kind: string } {
  const m = JSON.parse(readFileSync(join(dir, 'passport.json'), 'utf8')) as {
    kind: string;
    mrz: [string, string];
    expect: string | null;
    pace: boolean;
    aaKeyFile?: string;
    caKeyFile?: string;
    files: Record<string, string>;
  };
  const files = new Map<number, Buffer>(Object.entries(m.files).map(([fid, name]) => [parseInt(fid, 16), readFileSync(join(dir, name))]));
  return {
    kind: m.kind,
    expect: m.expect,
    mrz: m.mrz,
    files,
    ...(m.pace ? { cardAccess: readFileSync(join(dir, 'EF.CardAccess')) } : {}),
    ...(m.aaKeyFile ? { aaPrivateKey: readFileSync(m.aaKeyFile, 'utf8') } : {}),
    ...(m.caKeyFile ? { caPrivateKey: readFileSync(m.caKeyFile, 'utf8') } : {}),
  };
}
