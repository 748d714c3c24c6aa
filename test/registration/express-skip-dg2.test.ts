import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import type { FaceEngine, ReferenceExtraction } from '../../kiosk/biometrics/index.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import type { TokenVerdict } from '../../kiosk/crossing/types.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';
import { createDocumentCheck } from '../../kiosk/express/document-check.ts';
import { enrolmentIndexKey, enrolmentSource, enrolmentSubFor, findEnrolment } from '../../kiosk/express/enrolment-index.ts';
import { parseTd3 } from '../../icao/mrz.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { TrustList } from '../../kiosk/passport/trust.ts';
import { makePassports, type PassportKind } from '../../scripts/make-passport.ts';
import { peerSuite } from '../helpers/suite.ts';

interface Ctx {
  dir: string;
  trust: TrustList;
  passports: Map<PassportKind, string>;
  store: ReferenceStore;
  key: Buffer;
}

/** The template the registration kiosk enrolled (this booklet's DG2 template, once proven). */
const ENROLLED = Float32Array.from({ length: 512 }, (_, i) => Math.cos(i) / 16);
/** What the engine would make of DG2 (distinct, to tell which reference the verdict carries). */
const FROM_DG2: ReferenceExtraction = { template: new Float32Array(512).fill(0.04), quality: {} as never, acceptable: true, issues: [] };

/**
 * The Express lane's DG2 skip (issue 14 §3): when the MRZ finds a self-registration enrolment
 * still valid, DG2 is not read and the enrolled template is the face reference — while DG1 and
 * EF.SOD are still read and Passive Authentication and the clone check still decide. Every
 * test passport carries the same MRZ, so the enrolment is found for each of them: the chip's
 * own proofs alone refuse the forged ones.
 */
const t = peerSuite<Ctx>('express: an enrolled visitor skips DG2, never the chip proofs', ['openssl', 'ffmpeg']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-skipdg2-'));
  const made = await makePassports(join(ctx.dir, 'passports'), { kinds: ['valid', 'valid-ca', 'tampered-dg2', 'untrusted-ds', 'clone', 'mrz-mismatch'] });
  ctx.passports = made.passports;
  ctx.trust = TrustList.load({ csca: [made.pki.cscaPem], crl: [made.pki.crlPem] });
  ctx.store = ReferenceStore.open({ path: join(ctx.dir, 'refs.db'), keyPath: join(ctx.dir, 'refs.key'), clock: new SimulatedClock(0) });
  ctx.key = enrolmentIndexKey(join(ctx.dir, 'refs.key'));
});
t.after((ctx) => {
  ctx.store?.close();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

async function check(ctx: Ctx, kind: PassportKind, enrolled: boolean): Promise<{ verdict: TokenVerdict; apdus: number; extractions: number }> {
  const clock = new SimulatedClock(Date.parse('2026-12-03T06:00:00Z'));
  const image = loadChipImage(ctx.passports.get(kind)!);
  const reader = new SimulatedChipReader();
  reader.insert(new SimulatedChip(image));
  let extractions = 0;
  const engine = { extractReference: async () => (extractions++, FROM_DG2) } as unknown as FaceEngine;
  const doc = createDocumentCheck({
    chip: reader, trust: () => ctx.trust, engine, clock, log: silentLogger(), pseudonym: () => 'a'.repeat(32),
    ...(enrolled ? { enrolled: (mrz: unknown) => findEnrolment(ctx.store, ctx.key, mrz, clock.now()) } : {}),
  });
  const before = reader.transmits;
  const verdict = await doc('passport', [...image.mrz]);
  return { verdict, apdus: reader.transmits - before, extractions };
}

t('the MRZ finds the enrolment made for this booklet, until the passport expires, and nothing else', (ctx) => {
  const mrz = parseTd3(loadChipImage(ctx.passports.get('valid')!).mrz);
  const sub = enrolmentSubFor(ctx.key, mrz);
  ctx.store.upsert(sub, ENROLLED, { source: enrolmentSource('2034-05-15') });
  const now = Date.parse('2026-12-03T06:00:00Z');
  assert.equal(Array.from(findEnrolment(ctx.store, ctx.key, mrz.lines, now)!.template), Array.from(ENROLLED));
  assert.is(findEnrolment(ctx.store, ctx.key, mrz.lines, Date.parse('2034-05-16T00:00:00Z')), undefined, 'ended with the passport');
  assert.is(findEnrolment(ctx.store, enrolmentIndexKey(join(ctx.dir, 'other.key')), mrz.lines, now), undefined, 'another index key finds nothing');
  assert.is(findEnrolment(ctx.store, ctx.key, ['garbage'], now), undefined);
  // an entry without its end date (e.g. pushed by central as plain `central`) is not used for the skip
  ctx.store.upsert(sub, ENROLLED, { source: 'central' });
  assert.is(findEnrolment(ctx.store, ctx.key, mrz.lines, now), undefined);
  ctx.store.upsert(sub, ENROLLED, { source: enrolmentSource('2034-05-15') });
});

t('enrolled: DG2 neither read nor extracted, the enrolled template is the reference (chip operating point); not enrolled: DG2 as before', async (ctx) => {
  const plain = await check(ctx, 'valid', false);
  const skip = await check(ctx, 'valid', true);
  assert.ok(plain.verdict.ok && skip.verdict.ok, JSON.stringify([plain.verdict, skip.verdict]));
  assert.is(plain.extractions, 1);
  assert.is(skip.extractions, 0);
  assert.ok(skip.apdus < plain.apdus / 2, `DG2 is most of the read: ${skip.apdus} vs ${plain.apdus} APDUs`);
  assert.equal(Array.from((skip.verdict as { reference: { template: Float32Array } }).reference.template), Array.from(ENROLLED));
  assert.is((skip.verdict as { reference: { source: string } }).reference.source, 'chip');
  assert.is(skip.verdict.detail?.face_reference, 'enrolment');
  assert.is(plain.verdict.detail?.face_reference, 'dg2');
  const ca = await check(ctx, 'valid-ca', true);
  assert.ok(ca.verdict.ok && ca.verdict.detail?.clone_check === 'CA', 'chip authentication still runs');
});

for (const [kind, reason] of [['untrusted-ds', 'PA_CHAIN'], ['clone', 'CHIP_CLONED'], ['mrz-mismatch', 'PA_MISMATCH']] as const) {
  t(`enrolled MRZ on a ${kind} chip: refused ${reason} — the skip trusts nothing the chip did not prove`, async (ctx) => {
    const r = await check(ctx, kind, true);
    assert.not.ok(r.verdict.ok);
    assert.is((r.verdict as { reason: string }).reason, reason);
  });
}

t('a DG2 altered after enrolment is not even read: the face compared is the one proven at enrolment', async (ctx) => {
  const plain = await check(ctx, 'tampered-dg2', false);
  assert.is((plain.verdict as { reason?: string }).reason, 'PA_HASH');
  const skip = await check(ctx, 'tampered-dg2', true);
  assert.ok(skip.verdict.ok, JSON.stringify(skip.verdict));
  assert.is(skip.verdict.detail?.face_reference, 'enrolment');
});

t.run();
