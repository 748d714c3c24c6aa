/**
 * Plays the immigration authority (issuer) and the resident's phone, for tests, the
 * simulator and demos. Every function it uses is exported from kiosk/tokens/ (issuer.ts,
 * token-world.ts, world-files.ts) for in-process use.
 *
 *   node --import tsx scripts/token-tool.ts init --dir var/keys-demo
 *   node --import tsx scripts/token-tool.ts qr --dir var/keys-demo [--sub R0012345]
 *   node --import tsx scripts/token-tool.ts card --dir var/keys-demo --out card.cbor
 *   node --import tsx scripts/token-tool.ts variant stale-presentation --dir var/keys-demo
 *   node --import tsx scripts/token-tool.ts variants --dir var/keys-demo
 *   node --import tsx scripts/token-tool.ts fleet-key --dir var/keys-demo --kid fleet-2027-01
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { generateP256 } from '../kiosk/tokens/cose-key.ts';
import { writePrivateKeyFile } from '../kiosk/tokens/fleet-keys.ts';
import { presentationToQr } from '../kiosk/tokens/issuer.ts';
import { createTokenWorld, makeVariant, VARIANTS, worldCredential, worldPresentation, type VariantName } from '../kiosk/tokens/token-world.ts';
import { loadTokenWorld, saveTokenWorld } from '../kiosk/tokens/world-files.ts';

const program = new Command('token-tool').description('issuer and phone for egate tokens (tokens.md)');
const nowOption = new Option('--now <iso>', 'time to issue and present at (default: now)');
const nowMs = (o: { now?: string }): number => (o.now ? Date.parse(o.now) : Date.now());
const services = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

program
  .command('init')
  .description('create issuer (trusted, withdrawn, rogue), fleet and device keys, trust list and revocation list')
  .requiredOption('--dir <dir>')
  .option('--service <code>', 'service of the gate the world is for', 'ECH')
  .option('--fleet-kid <kid>', 'kid of the first fleet key', 'fleet-2026-11')
  .addOption(nowOption)
  .action((o: { dir: string; service: string; fleetKid: string; now?: string }) => {
    saveTokenWorld(createTokenWorld({ nowMs: nowMs(o), service: o.service, fleetKid: o.fleetKid }), o.dir);
    console.log(JSON.stringify({ fleetKeysDir: join(o.dir, 'fleet'), trustListPath: join(o.dir, 'trust-list.json'), revocationListPath: join(o.dir, 'revocations.json') }));
  });

program
  .command('fleet-key')
  .description('add another fleet key (rotation); the phone encrypts to it with qr --fleet-kid')
  .requiredOption('--dir <dir>')
  .requiredOption('--kid <kid>')
  .action((o: { dir: string; kid: string }) => {
    writePrivateKeyFile(join(o.dir, 'fleet'), o.kid, generateP256().privateKey);
  });

program
  .command('card')
  .description('issue a card credential (no cnf); writes its bytes to --out or base64 to stdout')
  .requiredOption('--dir <dir>')
  .option('--sub <ref>', 'holder reference', 'R0012345')
  .option('--services <list>', 'comma-separated', 'ECH,VEH')
  .option('--out <file>')
  .addOption(nowOption)
  .action((o: { dir: string; sub: string; services: string; out?: string; now?: string }) => {
    const w = loadTokenWorld(o.dir, nowMs(o));
    const cred = worldCredential(w, { sub: o.sub, services: services(o.services), mobile: false });
    if (o.out) writeFileSync(o.out, cred);
    else console.log(Buffer.from(cred).toString('base64'));
  });

program
  .command('qr')
  .description('issue a mobile credential (or read one with --credential) and print the QR text the phone shows')
  .requiredOption('--dir <dir>')
  .option('--sub <ref>', 'holder reference', 'R0012345')
  .option('--services <list>', 'comma-separated', 'ECH,VEH')
  .option('--credential <file>', 'an existing mobile credential (CBOR bytes)')
  .option('--fleet-kid <kid>', 'encrypt to this fleet key (default: the world’s)')
  .option('--iat-offset <s>', 'presentation iat relative to now, seconds', '0')
  .addOption(nowOption)
  .action((o: { dir: string; sub: string; services: string; credential?: string; fleetKid?: string; iatOffset: string; now?: string }) => {
    const w = loadTokenWorld(o.dir, nowMs(o));
    const credential = o.credential ? new Uint8Array(readFileSync(o.credential)) : worldCredential(w, { sub: o.sub, services: services(o.services) });
    const pres = worldPresentation(w, { credential, iatS: Math.floor(w.nowMs / 1000) + Number(o.iatOffset) });
    const kid = o.fleetKid ?? w.fleet.kid;
    const fleet = kid === w.fleet.kid ? w.fleet.keys.publicKey : loadTokenWorldFleet(o.dir, kid);
    console.log(presentationToQr(pres, fleet, kid));
  });

program
  .command('variant')
  .description(`make one named token and print {name, channel, expect, input} (input: QR text, or base64 card bytes). Names: ${Object.keys(VARIANTS).join(', ')}`)
  .argument('<name>')
  .requiredOption('--dir <dir>')
  .addOption(nowOption)
  .action((name: string, o: { dir: string; now?: string }) => {
    if (!(name in VARIANTS)) program.error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
    console.log(variantJson(o.dir, nowMs(o), name as VariantName));
  });

program
  .command('variants')
  .description('every variant, one JSON line each')
  .requiredOption('--dir <dir>')
  .addOption(nowOption)
  .action((o: { dir: string; now?: string }) => {
    for (const name of Object.keys(VARIANTS) as VariantName[]) console.log(variantJson(o.dir, nowMs(o), name));
  });

function variantJson(dir: string, now: number, name: VariantName): string {
  const v = makeVariant(loadTokenWorld(dir, now), name);
  const input = typeof v.input === 'string' ? v.input : Buffer.from(v.input).toString('base64');
  return JSON.stringify({ name: v.name, channel: v.channel, expect: v.expect, presentTwice: v.presentTwice ?? false, input });
}

/** The public half of another fleet key in the world directory (after fleet-key). */
function loadTokenWorldFleet(dir: string, kid: string): KeyObject {
  return createPublicKey(readFileSync(join(dir, 'fleet', `${kid}.pem`), 'utf8'));
}

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
