// @serial — one pcscd per machine: this file starts its own and must run alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { PcscChipReader } from '../../../drivers/chip/pcsc.ts';
import { loadChipImage } from '../../../drivers/chip/chip-image.ts';
import { SystemClock } from '../../../kiosk/clock.ts';
import { readAndVerifyPassport } from '../../../kiosk/passport/read-passport.ts';
import { TrustList } from '../../../kiosk/passport/trust.ts';
import { makePassports, PASSPORT_KINDS, type PassportKind } from '../../../scripts/make-passport.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { ChipEmulator, VPCD_DRIVER, VPCD_READER } from './emulator.ts';

interface Ctx {
  dir: string;
  emu: ChipEmulator;
  reader: PcscChipReader;
  trust: TrustList;
  small: Map<PassportKind, string>;
  full: string;
}

/** vicc offers BAC only, no Active or Chip Authentication: the PACE, AA, CA and clone kinds run on the simulated chip. */
const EMULATED: PassportKind[] = (Object.keys(PASSPORT_KINDS) as PassportKind[]).filter((k) => !['valid-pace', 'valid-aa', 'clone', 'valid-ca', 'valid-ca-3des', 'clone-ca', 'expired-document'].includes(k));

const t = peerSuite<Ctx>('chip: PC/SC driver with pcscd + vpcd + vicc (ePass)', ['pcscd', '/usr/bin/python3', 'py:Cryptodome', 'openssl', 'ffmpeg'], [
  { path: VPCD_DRIVER, hint: 'apt-get install vsmartcard-vpcd' },
  { path: '/usr/lib/python3/site-packages/virtualsmartcard', hint: 'apt-get install python3-virtualsmartcard' },
]);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-vicc-'));
  // The emulator needs ~55 ms per APDU: broken kinds carry a small face, one valid passport a full ~20 KB DG2.
  const small = await makePassports(join(ctx.dir, 'small'), { kinds: EMULATED, faceSize: { width: 64, height: 80 } });
  const full = await makePassports(join(ctx.dir, 'full'), { kinds: ['valid'] });
  ctx.small = small.passports;
  ctx.full = full.passports.get('valid')!;
  ctx.trust = TrustList.load({ csca: [small.pki.cscaPem, full.pki.cscaPem], crl: [small.pki.crlPem, full.pki.crlPem] });
  ctx.emu = new ChipEmulator();
  await ctx.emu.start();
  ctx.reader = new PcscChipReader(VPCD_READER);
  await ctx.reader.start();
});

t.after(async (ctx) => {
  await ctx.reader?.close();
  await ctx.emu?.stop();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

function event(reader: PcscChipReader, name: 'present' | 'removed', ms = 10000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event`)), ms);
    reader.once(name, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function readOnEmulator(ctx: Ctx, dir: string) {
  const present = event(ctx.reader, 'present');
  await ctx.emu.insert(dir);
  if (!ctx.reader.cardPresent) await present;
  await ctx.reader.connect();
  try {
    return await readAndVerifyPassport({ mrz: loadChipImage(dir).mrz, chip: ctx.reader, trust: ctx.trust, clock: new SystemClock() });
  } finally {
    const removed = event(ctx.reader, 'removed');
    await ctx.emu.remove();
    await removed;
  }
}

t('full BAC read of a ~20 KB DG2 through PC/SC, then Passive Authentication: accepted, files byte for byte', async (ctx) => {
  const r = await readOnEmulator(ctx, ctx.full);
  assert.is(r.reason, undefined, r.failedStep);
  assert.ok(r.ok);
  assert.is(r.accessControl, 'BAC');
  assert.is(r.faceImage?.format, 'jpeg');
  assert.is(r.faceImage?.decoded.width, 360);
  assert.not.ok(ctx.reader.cardPresent, 'card removal seen');
});

for (const kind of EMULATED) {
  const expect = PASSPORT_KINDS[kind];
  t(`emulated ${kind} → ${expect ?? 'accepted'}`, async (ctx) => {
    const r = await readOnEmulator(ctx, ctx.small.get(kind)!);
    assert.is(r.reason, expect ?? undefined, `${kind} failed at ${r.failedStep}`);
  });
}

t('the passport pulled from the reader mid-DG2 is CHIP_UNREADABLE, with the removal reported', async (ctx) => {
  const present = event(ctx.reader, 'present');
  await ctx.emu.insert(ctx.full);
  if (!ctx.reader.cardPresent) await present;
  await ctx.reader.connect();
  const removed = event(ctx.reader, 'removed');
  const reading = readAndVerifyPassport({ mrz: loadChipImage(ctx.full).mrz, chip: ctx.reader, trust: ctx.trust, clock: new SystemClock() });
  await new Promise((r) => setTimeout(r, 1500));
  await ctx.emu.remove();
  const r = await reading;
  await removed;
  assert.is(r.reason, 'CHIP_UNREADABLE');
  assert.is(r.failedStep, 'read');
  await ctx.reader.disconnect();
});

t('transmit with no card in the field rejects with CHIP_ABSENT', async (ctx) => {
  try {
    await ctx.reader.connect();
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'CHIP_ABSENT');
  }
});

t.run();
