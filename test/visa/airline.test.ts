import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspectVisa } from '../../kiosk/visa/inspect.ts';
import { VisaRevocationList } from '../../kiosk/visa/revocations.ts';
import { VisaTrust } from '../../kiosk/visa/trust.ts';
import { localDate, VisaVerifier } from '../../kiosk/visa/verifier.ts';
import { makeSeal } from '../../scripts/visa/kinds.ts';
import { loadVisaPki } from '../../scripts/visa/pki.ts';
import { qrPng, visaPdf } from '../../scripts/visa/render.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const FIX = join(ROOT, 'fixtures/evisa');
const TSX = import.meta.resolve('tsx');
const pki = loadVisaPki(join(FIX, 'pki'));
const holder = { n: 'DOE<<JANE', dob: '1990-05-17', i: 'P1234567', nat: 'UTO' };
const today = localDate(Date.now(), 480);
const dir = mkdtempSync(join(tmpdir(), 'visa-airline-'));
const file = (name: string, bytes: Uint8Array | string): string => (writeFileSync(join(dir, name), bytes), join(dir, name));

async function check(path: string): Promise<{ code: number; out: { genuine: boolean; details: Record<string, unknown> } }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', TSX, join(ROOT, 'scripts/visa-verify.ts'), 'check', path, '--trust', join(FIX, 'trust.json'), '--json']);
    return { code: 0, out: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

test('check: the printed PDF is genuine (exit 0) with its details; a forged seal photo is not (exit 2, reason)', async () => {
  const pdf = file('evisa.pdf', await visaPdf(makeSeal('valid', pki, { holder, today, number: 'V12345678' }).text));
  const g = await check(pdf);
  assert.is(g.code, 0);
  assert.ok(g.out.genuine);
  assert.is(g.out.details.vn, 'V12345678');
  assert.is(g.out.details.source, 'pdf');
  const forged = file('forged.png', await qrPng(makeSeal('forged', pki, { holder, today, number: 'V12345679' }).text, 4));
  const f = await check(forged);
  assert.is(f.code, 2);
  assert.is(f.out.details.reason, 'BAD_SIGNATURE');
  assert.is(f.out.details.vn, undefined, 'no details from an unverified seal');
});

test('check: a camera-like photo (tilted, blurred, on a grey desk, JPEG) of the QR is read and verified', async () => {
  const png = await qrPng(makeSeal('valid-es384', pki, { holder, today, number: 'V12345680' }).text, 6);
  const photo = await sharp(png).rotate(8, { background: '#777' }).extend({ top: 120, bottom: 160, left: 140, right: 90, background: '#888' }).blur(0.8).jpeg({ quality: 80 }).toBuffer();
  // In process (the command is the same function; its spawns are covered above).
  const verifier = new VisaVerifier({ trust: () => VisaTrust.loadBundle(join(FIX, 'trust.json')), revocations: new VisaRevocationList() });
  const r = await inspectVisa(photo, verifier, { nowMs: Date.now() });
  assert.ok(r.result.ok, JSON.stringify(r.result));
  assert.is(r.source, 'image');
  const blank = await inspectVisa(await sharp({ create: { width: 200, height: 200, channels: 3, background: '#fff' } }).png().toBuffer(), verifier, { nowMs: Date.now() });
  assert.is(blank.result.ok ? 'VALID' : blank.result.reason, 'QR_UNREADABLE');
});

test('serve: the page loads nothing from elsewhere; posting the PDF answers genuine', async () => {
  const pdf = await visaPdf(makeSeal('valid', pki, { holder, today, number: 'V12345681' }).text);
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'scripts/visa-verify.ts'), 'serve', '--trust', join(FIX, 'trust.json'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /http:\/\/[\d.]+:\d+\//.exec(out);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const page = await (await fetch(url)).text();
    assert.match(page, /e-Visa verifier/);
    assert.not.match(page, /(src|href)=["']?https?:/i, 'no remote resources');
    const r = (await (await fetch(new URL('verify', url), { method: 'POST', body: pdf })).json()) as { genuine: boolean; details: Record<string, unknown> };
    assert.ok(r.genuine);
    assert.is(r.details.name, 'DOE JANE');
  } finally {
    child.kill('SIGTERM');
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
