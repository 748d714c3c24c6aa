import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeQrImage, decodeQrPdf } from '../../kiosk/visa/qr-decode.ts';
import { VisaRevocationList } from '../../kiosk/visa/revocations.ts';
import { VisaTrust } from '../../kiosk/visa/trust.ts';
import { localDate, VisaVerifier } from '../../kiosk/visa/verifier.ts';
import { corpusFiles, readCase } from '../../scripts/visa/corpus.ts';
import { makeSeal } from '../../scripts/visa/kinds.ts';
import { loadVisaPki } from '../../scripts/visa/pki.ts';
import { qrPng, visaPdf } from '../../scripts/visa/render.ts';
import { peerSuite } from '../helpers/suite.ts';

const DIR = join(import.meta.dirname, '../../fixtures/evisa');
const ROOT = join(import.meta.dirname, '../..');
const pki = loadVisaPki(join(DIR, 'pki'));
const holder = { n: 'TAN<<MEI<LING', dob: '1985-11-02', i: 'E12345678', nat: 'SGP' };
const verifier = new VisaVerifier({ trust: () => VisaTrust.loadBundle(join(DIR, 'trust.json')), revocations: new VisaRevocationList() });

const zbar = peerSuite('e-Visa QR: zbarimg', ['zbarimg']);

function zbarimg(png: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'visa-zbar-'));
  try {
    writeFileSync(join(dir, 'q.png'), png);
    // --raw prints the payload only; zbar ends it with a newline.
    return execFileSync('zbarimg', ['--raw', '-q', join(dir, 'q.png')], { stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8').replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

zbar('every corpus QR image the project rendered decodes with zbarimg to the same seal', () => {
  let n = 0;
  for (const f of corpusFiles(DIR)) {
    const c = readCase(f);
    if (c.EXPECTEDRESULTS.EXPECTEDQR === false) continue;
    assert.is(zbarimg(Buffer.from(c['2DCODE'], 'base64')), c.SEAL, f);
    n++;
  }
  assert.ok(n >= 20);
});

zbar('the print-size QR (8 px per module) of an ES512 seal decodes with zbarimg', async () => {
  const s = makeSeal('valid-es512', pki, { holder, today: localDate(Date.now(), 480), number: 'V00000512' });
  assert.is(zbarimg(await qrPng(s.text, 8)), s.text);
});

zbar.run();

test('a seal decoded from the e-Visa PDF the issuer tool printed verifies, with the holder', async () => {
  const s = makeSeal('valid', pki, { holder, today: localDate(Date.now(), 480), number: 'V00000001' });
  const pdf = await visaPdf(s.text);
  const text = await decodeQrPdf(pdf);
  assert.ok(text, 'QR found in the PDF');
  assert.is(text!.toString('utf8'), s.text);
  const r = verifier.verify(text!, { nowMs: Date.now(), holder: { documentNumber: 'E12345678', name: 'TAN<<MEI<LING<<<<<<<<<<<<<<<<<<<<<<<<<<', birthDate: '851102', nationality: 'SGP' } });
  assert.ok(r.ok, r.ok ? '' : r.reason);
});

test('a PDF or image without a QR code, and bytes that are neither, give no seal (never throw)', async () => {
  const s = makeSeal('valid', pki, { holder, today: '2027-03-01', number: 'V00000002' });
  const pdf = Buffer.from(await visaPdf(s.text));
  assert.is(await decodeQrPdf(Buffer.from('%PDF-1.7\nnot really')), undefined);
  assert.is(await decodeQrPdf(pdf.subarray(0, pdf.length / 2)), undefined);
  assert.is(await decodeQrImage(Buffer.from('definitely not an image')), undefined);
  assert.is(await decodeQrImage(pdf), undefined);
});

test('visa-tool --help prints the commands and writes nothing', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'visa-help-'));
  try {
    const out = execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'scripts/visa-tool.ts'), '--help'], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }).toString();
    for (const c of ['pki', 'seal', 'qr', 'pdf', 'corpus']) assert.match(out, new RegExp(`\\b${c}\\b`));
    assert.equal(readdirSync(cwd), []);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test.run();
