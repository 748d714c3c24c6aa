/**
 * Plays the department that issues e-Visas, for tests, the simulator and demos
 * (docs/evisa.md): a test PKI, seals of every valid and invalid kind, the QR image, the
 * e-Visa PDF, and the conformance corpus.
 *
 *   node --import tsx scripts/visa-tool.ts pki --dir var/visa-pki
 *   node --import tsx scripts/visa-tool.ts seal --pki var/visa-pki --kind valid --name 'DOE<<JANE' --passport P1234567 --dob 1990-05-17 --nationality UTO > seal.json
 *   node --import tsx scripts/visa-tool.ts qr --in seal.json --out seal.png
 *   node --import tsx scripts/visa-tool.ts pdf --in seal.json --out evisa.pdf
 *   node --import tsx scripts/visa-tool.ts corpus --dir fixtures/evisa [--new-pki]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { localDate } from '../kiosk/visa/verifier.ts';
import { writeCorpus } from './visa/corpus.ts';
import { makeSeal, SEAL_KINDS, type SealKind } from './visa/kinds.ts';
import { keepVisaPki, loadVisaPki, makeVisaPki } from './visa/pki.ts';
import { qrPng, qrVersion, visaPdf } from './visa/render.ts';

const program = new Command('visa-tool').description('test issuer of e-Visa seals (ICAO VDS-NC, type icao.visa): PKI, seals, QR, PDF, corpus');

program
  .command('pki')
  .description('create the test PKI: root (the trust list entry), ES256/384/512 barcode signers and the broken signers; writes trust.json')
  .requiredOption('--dir <dir>')
  .action((o: { dir: string }) => {
    const work = mkdtempSync(join(tmpdir(), 'visa-pki-'));
    try {
      const pki = makeVisaPki(work);
      keepVisaPki(pki, o.dir);
      writeFileSync(join(o.dir, 'trust.json'), JSON.stringify({ fetched: new Date().toISOString(), roots: { HKG: [pki.rootPem] } }, null, 2) + '\n');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    console.log(JSON.stringify({ root: join(o.dir, 'root.pem'), trustList: join(o.dir, 'trust.json') }));
  });

program
  .command('kinds')
  .description('list the seal kinds and the verdict each gets')
  .action(() => {
    for (const [k, v] of Object.entries(SEAL_KINDS)) console.log(`${k.padEnd(22)} ${v}`);
  });

program
  .command('seal')
  .description('print a seal (the QR text) of one kind for one holder')
  .requiredOption('--pki <dir>', 'test PKI made by `pki`')
  .option('--kind <kind>', `one of: ${Object.keys(SEAL_KINDS).join(', ')}`, 'valid')
  .requiredOption('--name <mrz-name>', "name as in the passport MRZ, e.g. 'DOE<<JANE'")
  .requiredOption('--passport <number>')
  .requiredOption('--dob <yyyy-mm-dd>')
  .requiredOption('--nationality <code>', 'three-letter code')
  .option('--number <visa-number>', 'visa number', 'V00000001')
  .option('--today <yyyy-mm-dd>', 'the day the seal is made valid around (default: today, UTC)')
  .action((o: { pki: string; kind: string; name: string; passport: string; dob: string; nationality: string; number: string; today?: string }) => {
    if (!(o.kind in SEAL_KINDS)) throw new Error(`unknown kind ${o.kind}`);
    const s = makeSeal(o.kind as SealKind, loadVisaPki(o.pki), {
      holder: { n: o.name, i: o.passport, dob: o.dob, nat: o.nationality.padEnd(3, '<') },
      today: o.today ?? localDate(Date.now(), 0),
      number: o.number,
    });
    process.stdout.write(s.text + '\n');
  });

program
  .command('qr')
  .description('render a seal as a QR PNG (byte mode, error correction M)')
  .requiredOption('--in <seal-file>')
  .requiredOption('--out <png>')
  .option('--scale <px>', 'pixels per module', '8')
  .action(async (o: { in: string; out: string; scale: string }) => {
    const text = readFileSync(o.in, 'utf8').trim();
    writeFileSync(o.out, await qrPng(text, Number(o.scale)));
    console.log(JSON.stringify({ out: o.out, version: qrVersion(text), bytes: Buffer.byteLength(text) }));
  });

program
  .command('pdf')
  .description('print the e-Visa PDF with the seal\'s QR code')
  .requiredOption('--in <seal-file>')
  .requiredOption('--out <pdf>')
  .action(async (o: { in: string; out: string }) => {
    writeFileSync(o.out, await visaPdf(readFileSync(o.in, 'utf8').trim()));
    console.log(JSON.stringify({ out: o.out }));
  });

program
  .command('corpus')
  .description('rewrite the conformance corpus (cases, trust.json, revocations.json) from its test PKI')
  .requiredOption('--dir <dir>', 'e.g. fixtures/evisa')
  .option('--new-pki', 'make a new test PKI first (replaces dir/pki)')
  .action(async (o: { dir: string; newPki?: boolean }) => {
    if (o.newPki) {
      const work = mkdtempSync(join(tmpdir(), 'visa-pki-'));
      try {
        keepVisaPki(makeVisaPki(work), join(o.dir, 'pki'));
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    console.log(JSON.stringify(await writeCorpus(o.dir)));
  });

await program.parseAsync(process.argv);
