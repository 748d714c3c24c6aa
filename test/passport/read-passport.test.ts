import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { readAndVerifyPassport } from '../../kiosk/passport/read-passport.ts';
import { TrustList } from '../../kiosk/passport/trust.ts';
import { makeMrz, makePassports, PASSPORT_KINDS, type PassportKind } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';

interface Ctx {
  dir: string;
  trust: TrustList;
  passports: Map<PassportKind, string>;
}

const t = peerSuite<Ctx>('passport: full read and verification on the simulated chip', ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-passports-'));
  const made = await makePassports(ctx.dir);
  ctx.passports = made.passports;
  ctx.trust = TrustList.load({ csca: [made.pki.cscaPem], crl: [made.pki.crlPem] });
});

t.after((ctx) => {
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

async function run(ctx: Ctx, kind: PassportKind, tweak?: (reader: SimulatedChipReader, chip: SimulatedChip) => void, mrz?: readonly string[]) {
  const image = loadChipImage(ctx.passports.get(kind)!);
  const reader = new SimulatedChipReader();
  const chip = new SimulatedChip(image);
  reader.insert(chip);
  await reader.connect();
  tweak?.(reader, chip);
  return { result: await readAndVerifyPassport({ mrz: mrz ?? image.mrz, chip: reader, trust: ctx.trust, clock: new SimulatedClock() }), reader, chip };
}

for (const kind of Object.keys(PASSPORT_KINDS) as PassportKind[]) {
  const expect = PASSPORT_KINDS[kind];
  t(`${kind} → ${expect ?? 'accepted'}`, async (ctx) => {
    const { result } = await run(ctx, kind);
    assert.is(result.reason, expect ?? undefined, `${kind}: ${result.failedStep}`);
    assert.is(result.ok, expect === null);
    assert.is(result.issuingState, 'UTO');
    assert.is(result.documentType, 'P');
    if (expect === null) {
      assert.ok(result.faceImage);
      assert.is(result.faceImage.decoded.width, 360);
      assert.is(result.faceImage.decoded.height, 480);
      assert.is(result.faceImage.format, kind === 'valid-jp2' ? 'jp2' : 'jpeg');
      assert.is(result.accessControl, kind === 'valid-pace' ? 'PACE' : 'BAC');
      assert.is(result.cloneCheck, kind === 'valid-aa' ? 'AA' : kind.startsWith('valid-ca') ? 'CA' : 'none');
    }
  });
}

t('a wrong MRZ (other document number) is ACCESS_DENIED, over BAC and over PACE', async (ctx) => {
  const wrong = makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT7654321', birth: '850101', expiry: '340515' });
  assert.is((await run(ctx, 'valid', undefined, wrong)).result.reason, 'ACCESS_DENIED');
  assert.is((await run(ctx, 'valid-pace', undefined, wrong)).result.reason, 'ACCESS_DENIED');
});

t('a wrong MAC from the chip in the middle of DG2 is SM_ERROR', async (ctx) => {
  const { result } = await run(ctx, 'valid', (_r, chip) => chip.misbehave('wrong-mac', 20));
  assert.is(result.reason, 'SM_ERROR');
  assert.is(result.failedStep, 'read');
});

t('a chip that drops secure messaging (plain 6987) is SM_ERROR', async (ctx) => {
  const { result } = await run(ctx, 'valid-pace', (_r, chip) => chip.misbehave('drop-sm', 5));
  assert.is(result.reason, 'SM_ERROR');
});

t('a short answer (one byte) during the read is SM_ERROR', async (ctx) => {
  const { result } = await run(ctx, 'valid', (reader) => reader.misbehave('short-answer', 12));
  assert.is(result.reason, 'SM_ERROR');
});

t('the chip pulled mid-read is CHIP_UNREADABLE and the reader reports removal', async (ctx) => {
  let removed = 0;
  const { result, reader } = await run(ctx, 'valid', (r) => {
    r.on('removed', () => removed++);
    r.misbehave('pull', 30);
  });
  assert.is(result.reason, 'CHIP_UNREADABLE');
  assert.is(result.failedStep, 'read');
  assert.is(removed, 1);
  assert.not.ok(reader.cardPresent);
});

t('a silent chip at SELECT is CHIP_UNREADABLE', async (ctx) => {
  const { result } = await run(ctx, 'valid', (r) => r.misbehave('silent', 1));
  assert.is(result.reason, 'CHIP_UNREADABLE');
});

t('a garbled MRZ is MRZ_INVALID before the chip is touched', async (ctx) => {
  const image = loadChipImage(ctx.passports.get('valid')!);
  const bad = [image.mrz[0], image.mrz[1].slice(0, 9) + '0' + image.mrz[1].slice(10)];
  const { result, reader } = await run(ctx, 'valid', undefined, bad);
  assert.is(result.reason, 'MRZ_INVALID');
  assert.is(reader.transmits, 0);
});

t('an issuing state off the lane list is DOC_NOT_ELIGIBLE', async (ctx) => {
  const image = loadChipImage(ctx.passports.get('valid')!);
  const reader = new SimulatedChipReader();
  reader.insert(new SimulatedChip(image));
  await reader.connect();
  const r = await readAndVerifyPassport({ mrz: image.mrz, chip: reader, trust: ctx.trust, clock: new SimulatedClock(), policy: { eligibleStates: ['HKG', 'CHN'] } });
  assert.is(r.reason, 'DOC_NOT_ELIGIBLE');
});

t('a quality gate that refuses the face is REFERENCE_UNUSABLE', async (ctx) => {
  const image = loadChipImage(ctx.passports.get('valid')!);
  const reader = new SimulatedChipReader();
  reader.insert(new SimulatedChip(image));
  await reader.connect();
  const r = await readAndVerifyPassport({ mrz: image.mrz, chip: reader, trust: ctx.trust, clock: new SimulatedClock(), qualityGate: async () => 'eyes closed' });
  assert.is(r.reason, 'REFERENCE_UNUSABLE');
});

t('a trust list without the CRL accepts the revoked DS unless CRLs are required', async (ctx) => {
  const trust = TrustList.load({ csca: [join(ctx.dir, 'pki', 'csca.pem')] });
  const image = loadChipImage(ctx.passports.get('revoked-ds')!);
  for (const requireCrl of [false, true]) {
    const reader = new SimulatedChipReader();
    reader.insert(new SimulatedChip(image));
    await reader.connect();
    const r = await readAndVerifyPassport({ mrz: image.mrz, chip: reader, trust, clock: new SimulatedClock(), policy: { requireCrl } });
    assert.is(r.reason, requireCrl ? 'PA_CHAIN' : undefined);
  }
});

t.run();
