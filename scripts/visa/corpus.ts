import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { PassportHolder } from '../../kiosk/visa/holder.ts';
import { VISA_REASONS, type VisaLayer, type VisaReason } from '../../kiosk/visa/reasons.ts';
import type { Holder } from '../../kiosk/visa/seal-schema.ts';
import { makeSeal, SEAL_KINDS, type SealKind } from './kinds.ts';
import { loadVisaPki, type VisaPki } from './pki.ts';
import { qrPng } from './render.ts';

/**
 * The e-Visa conformance corpus (fixtures/evisa, README there), shaped like the EU Digital
 * COVID Certificate's public test data: one JSON file per case with the raw seal, the QR
 * image, the test context (validation clock, signer certificate, holder) and the expected
 * result of every layer. The test runs whatever files are there.
 */
export interface CorpusCase {
  SEAL: string;
  /** The QR code, PNG, base64. */
  '2DCODE': string;
  TESTCTX: {
    VERSION: 1;
    DESCRIPTION: string;
    VALIDATIONCLOCK: string;
    /** The barcode signer's certificate the seal carries, base64 DER (null when the seal carries none that parses). */
    CERTIFICATE: string | null;
    /** The passport presented with the seal (null: no holder match). */
    HOLDER: PassportHolder | null;
  };
  /** true: the layer passes; false: it fails with EXPECTEDREASON; absent: it does not run. */
  EXPECTEDRESULTS: Partial<Record<`EXPECTED${Uppercase<VisaLayer>}`, boolean>> & { EXPECTEDREASON: VisaReason | 'VALID' };
}

export const LAYER_KEYS = { qr: 'EXPECTEDQR', structure: 'EXPECTEDSTRUCTURE', header: 'EXPECTEDHEADER', certificate: 'EXPECTEDCERTIFICATE', signature: 'EXPECTEDSIGNATURE', data: 'EXPECTEDDATA' } as const;
const ORDER: VisaLayer[] = ['qr', 'structure', 'header', 'certificate', 'signature', 'data'];

/** The corpus's validation clock and the holder's passport. */
export const CORPUS_CLOCK = '2027-03-01T04:00:00Z';
const HOLDER: Holder = { n: 'DOE<<JANE<MARY', dob: '1990-05-17', i: 'P1234567', nat: 'UTO', sex: 'F' };
const PASSPORT: PassportHolder = { documentNumber: 'P1234567<', name: 'DOE<<JANE<MARY<<<<<<<<<<<<<<<<<<<<<<<<<', birthDate: '900517', nationality: 'UTO' };

function expected(reason: VisaReason | 'VALID'): CorpusCase['EXPECTEDRESULTS'] {
  const out: CorpusCase['EXPECTEDRESULTS'] = { EXPECTEDREASON: reason };
  const failed = reason === 'VALID' ? undefined : VISA_REASONS[reason];
  for (const l of ORDER) {
    if (l === failed) {
      out[LAYER_KEYS[l]] = false;
      break;
    }
    out[LAYER_KEYS[l]] = true;
  }
  return out;
}

/** The QR as stored in the corpus: 2 px per module, two-colour palette PNG (a few KB). */
export async function corpusPng(text: string): Promise<Buffer> {
  return sharp(await qrPng(text, 2)).greyscale().png({ palette: true, colours: 2, compressionLevel: 9, effort: 10 }).toBuffer();
}

function signerOf(text: string): string | null {
  try {
    const der = Buffer.from((JSON.parse(text) as { sig: { cer: string } }).sig.cer, 'base64url');
    new X509Certificate(der);
    return der.toString('base64');
  } catch {
    return null;
  }
}

const DESCRIPTIONS: Partial<Record<SealKind, string>> = {
  'too-large': 'genuine seal padded past the 2048-byte limit',
  'alg-curve-mismatch': 'alg ES384 with a P-256 signer key',
  forged: 'valid-until extended by hand after signing',
  'other-passport': 'genuine seal issued for another passport',
};

/** Writes the whole corpus under `dir` from the test PKI in `dir/pki`: trust list, revocation list, one file per case. */
export async function writeCorpus(dir: string): Promise<{ cases: number; bytes: number }> {
  const pki: VisaPki = loadVisaPki(join(dir, 'pki'));
  writeFileSync(join(dir, 'trust.json'), JSON.stringify({ fetched: CORPUS_CLOCK, roots: { HKG: [pki.rootPem] } }, null, 2) + '\n');
  const casesDir = join(dir, 'cases');
  rmSync(casesDir, { recursive: true, force: true });
  const revoked: string[] = [];
  const today = CORPUS_CLOCK.slice(0, 10);
  let n = 0;
  let bytes = 0;
  const write = (layer: string, name: string, c: CorpusCase): void => {
    mkdirSync(join(casesDir, layer), { recursive: true });
    const text = JSON.stringify(c, null, 1) + '\n';
    writeFileSync(join(casesDir, layer, `${name}.json`), text);
    n++;
    bytes += text.length;
  };
  for (const [i, kind] of (Object.keys(SEAL_KINDS) as SealKind[]).entries()) {
    const reason = SEAL_KINDS[kind];
    const seal = makeSeal(kind, pki, { holder: HOLDER, today, number: `V27${String(1000 + i).padStart(6, '0')}` });
    if (kind === 'revoked') revoked.push(seal.number);
    const layer = reason === 'VALID' ? 'valid' : VISA_REASONS[reason];
    write(layer, kind, {
      SEAL: seal.text,
      '2DCODE': (await corpusPng(seal.text)).toString('base64'),
      TESTCTX: { VERSION: 1, DESCRIPTION: DESCRIPTIONS[kind] ?? kind.replaceAll('-', ' '), VALIDATIONCLOCK: CORPUS_CLOCK, CERTIFICATE: signerOf(seal.text), HOLDER: PASSPORT },
      EXPECTEDRESULTS: expected(reason),
    });
  }
  // Same genuine seal checked without a passport (the airline verifier's view): valid.
  const plain = makeSeal('valid', pki, { holder: HOLDER, today, number: 'V27000999' });
  write('valid', 'valid-no-holder', {
    SEAL: plain.text,
    '2DCODE': (await corpusPng(plain.text)).toString('base64'),
    TESTCTX: { VERSION: 1, DESCRIPTION: 'genuine seal, no passport to match (airline check)', VALIDATIONCLOCK: CORPUS_CLOCK, CERTIFICATE: signerOf(plain.text), HOLDER: null },
    EXPECTEDRESULTS: expected('VALID'),
  });
  // The QR layer: a genuine seal whose printed code lost its middle (torn or smudged beyond error correction).
  const png = await corpusPng(plain.text);
  const meta = await sharp(png).metadata();
  const w = Math.round(meta.width! * 0.5);
  const damaged = await sharp(png)
    .composite([{ input: { create: { width: w, height: w, channels: 3, background: { r: 0, g: 0, b: 0 } } }, left: Math.round(meta.width! * 0.25), top: Math.round(meta.height! * 0.25) }])
    .greyscale()
    .png({ palette: true, colours: 2, compressionLevel: 9 })
    .toBuffer();
  write('qr', 'qr-damaged', {
    SEAL: plain.text,
    '2DCODE': damaged.toString('base64'),
    TESTCTX: { VERSION: 1, DESCRIPTION: 'the QR code is damaged beyond error correction', VALIDATIONCLOCK: CORPUS_CLOCK, CERTIFICATE: signerOf(plain.text), HOLDER: null },
    EXPECTEDRESULTS: { EXPECTEDREASON: 'QR_UNREADABLE', EXPECTEDQR: false },
  });
  writeFileSync(join(dir, 'revocations.json'), JSON.stringify({ visas: revoked }, null, 2) + '\n');
  return { cases: n, bytes };
}

/** Every case file under the corpus directory, with its path relative to `cases/`. */
export function corpusFiles(dir: string): string[] {
  const casesDir = join(dir, 'cases');
  return readdirSync(casesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(casesDir, f));
}

export function readCase(path: string): CorpusCase {
  return JSON.parse(readFileSync(path, 'utf8')) as CorpusCase;
}
