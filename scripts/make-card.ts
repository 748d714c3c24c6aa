import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { CardManifest } from '../drivers/card/card-image.ts';
import { CARD_KINDS, makeTestCard, type CardKind } from '../kiosk/card/test-cards.ts';
import { createTokenWorld, type TokenWorld } from '../kiosk/tokens/token-world.ts';
import { loadTokenWorld, saveTokenWorld } from '../kiosk/tokens/world-files.ts';
import { dg2 } from './make-passport.ts';

/**
 * Issues test smart identity cards (smart-id.md) with a token-tool world's issuer keys: per
 * kind a directory with EF.CRED, EF.PHOTO, EF.CARD, the chip's private key and card.json
 * (files by FID, the reason a gate must give). scripts/vicc-hkid.py serves one through pcscd;
 * the simulated card serves the same directory. Invented card numbers and names only.
 * CLI: node --import tsx scripts/make-card.ts --world <token-tool dir> --out <dir>
 */
const DEFAULT_PHOTO = '/work/shared/faces/deepface/img1.jpg';

/** Two different portraits as ISO/IEC 19794-5 records (DG2 layout): the holder's and another's. */
export async function makeCardPhotos(size = { width: 120, height: 150 }, photo?: string): Promise<[Buffer, Buffer]> {
  const { existsSync } = await import('node:fs');
  const src = photo ?? (existsSync(DEFAULT_PHOTO) ? DEFAULT_PHOTO : undefined);
  const base = src
    ? sharp(src).rotate().resize(size.width, size.height, { fit: 'cover', position: 'attention' })
    : sharp({ create: { width: size.width, height: size.height, channels: 3, background: { r: 180, g: 150, b: 120 } } });
  const a = await base.clone().jpeg({ quality: 80 }).toBuffer();
  const b = await base.clone().flop().modulate({ brightness: 0.8 }).jpeg({ quality: 75 }).toBuffer();
  return [dg2(a, 'jpeg', size.width, size.height), dg2(b, 'jpeg', size.width, size.height)];
}

/** Writes one card directory per kind under `out`; returns kind → directory. */
export async function makeCards(out: string, world: TokenWorld, opts: { kinds?: CardKind[]; photo?: string; size?: { width: number; height: number } } = {}): Promise<Map<CardKind, string>> {
  const [photo, other] = await makeCardPhotos(opts.size, opts.photo);
  const made = new Map<CardKind, string>();
  for (const kind of opts.kinds ?? (Object.keys(CARD_KINDS) as CardKind[])) {
    const card = makeTestCard(world, kind, photo, other);
    const dir = join(out, kind);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'EF.CRED'), card.files.cred);
    writeFileSync(join(dir, 'EF.PHOTO'), card.files.photo);
    writeFileSync(join(dir, 'EF.CARD'), card.files.card);
    writeFileSync(join(dir, 'chip-key.pem'), card.chipKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const manifest: CardManifest = { kind, expect: CARD_KINDS[kind], files: { '0101': 'EF.CRED', '0102': 'EF.PHOTO', '0103': 'EF.CARD' }, chipKey: 'chip-key.pem' };
    writeFileSync(join(dir, 'card.json'), JSON.stringify(manifest, null, 2) + '\n');
    made.set(kind, dir);
  }
  return made;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const { Command } = await import('commander');
  const kinds = Object.keys(CARD_KINDS) as CardKind[];
  const o = new Command('make-card')
    .description(`test smart identity cards (smart-id.md), one directory per kind: ${kinds.join(', ')}`)
    .requiredOption('--world <dir>', 'token-tool world (issuer keys, trust and revocation lists); created there with --init')
    .option('--init', 'create a new token world in --world first')
    .option('--out <dir>', 'where the cards are written', 'var/cards')
    .option('--kinds <list>', 'comma-separated kinds (default: all)')
    .option('--photo <file>', `holder photo (default ${DEFAULT_PHOTO}, else a plain image)`)
    .option('--now <iso>', 'time to issue at (default: now)')
    .parse()
    .opts<{ world: string; init?: boolean; out: string; kinds?: string; photo?: string; now?: string }>();
  try {
    const nowMs = o.now ? Date.parse(o.now) : Date.now();
    if (Number.isNaN(nowMs)) throw new Error('--now is not a date');
    const wanted = o.kinds ? o.kinds.split(',').map((k) => k.trim()) : kinds;
    const bad = wanted.filter((k) => !kinds.includes(k as CardKind));
    if (bad.length) throw new Error(`unknown kind ${bad.join(', ')} (kinds: ${kinds.join(', ')})`);
    if (o.init) saveTokenWorld(createTokenWorld({ nowMs }), o.world);
    const world = loadTokenWorld(o.world, nowMs);
    const made = await makeCards(o.out, world, { kinds: wanted as CardKind[], ...(o.photo ? { photo: o.photo } : {}) });
    for (const [kind, dir] of made) console.log(`${kind.padEnd(14)} ${CARD_KINDS[kind].padEnd(20)} ${dir}`);
  } catch (err) {
    console.error(`error: ${(err as Error).message.split('\n')[0]}`);
    process.exitCode = 1;
  }
}
