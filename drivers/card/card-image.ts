import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** smart-id.md: the HKID application and its files. */
export const HKID_AID = Buffer.from('F0484B494401', 'hex');
export const FID = { cred: 0x0101, photo: 0x0102, card: 0x0103 } as const;

/** What a card (emulated or simulated) holds: files by FID and the chip's private key (PEM). */
export interface CardImage {
  kind: string;
  /** The reason a gate must give this card ('OK' for a valid one). */
  expect: string;
  files: Map<number, Buffer>;
  chipKeyPem: string;
}

/** The manifest scripts/make-card.ts writes next to the files (card.json). */
export interface CardManifest {
  kind: string;
  expect: string;
  files: Record<string, string>;
  chipKey: string;
}

/** Loads a card directory written by scripts/make-card.ts. */
export function loadCardImage(dir: string): CardImage {
  const m = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as CardManifest;
  const files = new Map<number, Buffer>(Object.entries(m.files).map(([fid, name]) => [parseInt(fid, 16), readFileSync(join(dir, name))]));
  return { kind: m.kind, expect: m.expect, files, chipKeyPem: readFileSync(join(dir, m.chipKey), 'utf8') };
}
