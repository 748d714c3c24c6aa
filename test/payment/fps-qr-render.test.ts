import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { decodeFpsQr, encodeFpsQr, type FpsQr } from '../../kiosk/payment/fps-qr.ts';
import { fpsQrPng, fpsQrSvg } from '../../kiosk/payment/fps-qr-render.ts';
import { peerSuite } from '../helpers/suite.ts';

const t = peerSuite('FPS QR rendered: zbarimg', ['zbarimg']);

function zbarimg(file: string): string {
  // --raw prints the payload only; zbar ends it with a newline
  return execFileSync('zbarimg', ['--raw', '-q', file], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).toString('utf8').replace(/\n$/, '');
}

const codes: FpsQr[] = [
  { dynamic: true, proxy: { kind: 'fps_id', value: '123456789' }, mcc: '9399', currency: '344', amountCents: 45000, merchantName: 'IMMIGRATION DEPT', merchantCity: 'HONG KONG', billNumber: 'PA-01HZX3K9Q7' },
  { dynamic: true, participant: '004', proxy: { kind: 'email', value: 'fees@immd.example.hk' }, mcc: '9399', currency: '344', amountCents: 1, merchantName: 'IMMD', merchantCity: 'HK', billNumber: 'PA-1', referenceLabel: 'KIOSK-07' },
  { dynamic: true, proxy: { kind: 'mobile', value: '+852-61234567' }, mcc: '9399', currency: '344', amountCents: 9_999_999, merchantName: 'x'.repeat(25), merchantCity: 'y'.repeat(15), billNumber: 'z'.repeat(25) },
];

t('the PNG the screen and printer get decodes with zbarimg to the same payload and fields', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fps-zbar-'));
  try {
    for (const [i, code] of codes.entries()) {
      const payload = encodeFpsQr(code);
      const file = join(dir, `${i}.png`);
      writeFileSync(file, await fpsQrPng(payload, 4));
      const read = zbarimg(file);
      assert.is(read, payload);
      assert.equal(decodeFpsQr(read), code);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('the SVG shown on the kiosk page, rasterised, decodes with zbarimg', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fps-zbar-'));
  try {
    const payload = encodeFpsQr(codes[0]!);
    const svg = await fpsQrSvg(payload);
    assert.match(svg, /^<svg /);
    const file = join(dir, 'svg.png');
    await sharp(Buffer.from(svg), { density: 300 }).flatten({ background: '#ffffff' }).png().toFile(file);
    assert.is(zbarimg(file), payload);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
