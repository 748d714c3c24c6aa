import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import calibrated from '../../config/operating-points.json' with { type: 'json' };
import { faceSection } from '../../config/sections/face.ts';
import { createFaceEngine, type FaceEngine, type FaceReference } from '../../kiosk/biometrics/index.ts';
import { chipFrame, chipPortrait, type ChipFormat } from '../../scripts/bench-chip.ts';
import { peerSuite } from '../helpers/suite.ts';

// CI checks out the repo with shared/ beside it; EGATE_FACES_DIR overrides.
const FACES = process.env.EGATE_FACES_DIR ?? new URL('../../../shared/faces/deepface', import.meta.url).pathname;
// Defaults only: the chip operating points must come from config/operating-points.json.
const config = faceSection.parse({});
const photo = (f: string): Uint8Array => new Uint8Array(readFileSync(join(FACES, f)));

interface Ctx { engine: FaceEngine; ids: Map<string, string>; chip: Map<string, FaceReference> }

const t = peerSuite<Ctx>(
  'chip-style references on shared/faces/deepface',
  ['ffmpeg'],
  [{ path: join(FACES, 'identities.csv'), hint: 'shared face photos (../shared/faces/deepface beside the repo, or EGATE_FACES_DIR)' }],
);

/** The first photo of each of four people is the passport photo; the second is the live capture. */
function people(ids: Map<string, string>): { ref: string; live: string }[] {
  const by = new Map<string, string[]>();
  for (const [f, id] of ids) by.set(id, [...(by.get(id) ?? []), f]);
  return [...by.values()].slice(0, 4).map((fs) => ({ ref: fs[0]!, live: fs[1]! }));
}

t.before(async (ctx) => {
  if (!existsSync(join(FACES, 'identities.csv'))) return;
  ctx.engine = await createFaceEngine(config, { workers: 1 });
  ctx.ids = new Map(readFileSync(join(FACES, 'identities.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',') as [string, string]));
  ctx.chip = new Map();
  for (const { ref } of people(ctx.ids)) {
    const box = (await ctx.engine.extractReference(photo(ref))).quality.box;
    for (const format of ['jpeg', 'jp2'] as ChipFormat[]) {
      const p = await chipPortrait(photo(ref), box, { format, bytes: 18000 });
      assert.ok(p.bytes.length <= 18000 && p.width <= 480 && p.height === Math.round((p.width * 4) / 3), `${ref} ${format}: ${p.bytes.length} bytes ${p.width}×${p.height}`);
      const r = await ctx.engine.extractReference(await chipFrame(p));
      ctx.chip.set(`${ref} ${format}`, { template: r.template, source: 'chip' });
    }
  }
});

t.after(async (ctx) => {
  await ctx.engine?.close();
});

t('the default config carries the calibrated operating points, each resolved by its impostor pairs', () => {
  assert.equal(config.chipOperatingPoints, calibrated.chipOperatingPoints);
  for (const name of ['fmr_1e-3', 'fmr_1e-4', 'fmr_1e-5']) {
    for (const [set, points] of [['photos', config.operatingPoints], ['chips', config.chipOperatingPoints!]] as const) {
      const op = points[name]!;
      assert.ok(op.calibration.genuinePairs > 0 && op.calibration.impostorPairs > 0, `${set} ${name} names its pair counts`);
      // Resolved: enough impostor pairs that at least ten may pass at the named rate, and the measured rate is within it.
      const rate = Number(name.slice(4));
      assert.ok(op.calibration.impostorPairs * rate >= 10, `${set} ${name}: ${op.calibration.impostorPairs} impostor pairs cannot resolve ${rate}`);
      assert.ok(op.calibration.far <= rate, `${set} ${name}: calibrated FAR ${op.calibration.far}`);
    }
  }
  assert.ok(config.operatingPoints['fmr_1e-5']!.threshold > config.operatingPoints['fmr_1e-4']!.threshold);
  assert.ok(config.operatingPoints['fmr_1e-4']!.threshold > config.operatingPoints['fmr_1e-3']!.threshold);
});

t('chip references are verified at the chip operating point, other references at the full-photo one', async ({ engine, chip, ids }) => {
  const { ref, live } = people(ids)[0]!;
  const chipRef = chip.get(`${ref} jpeg`)!;
  for (const name of ['fmr_1e-3', 'fmr_1e-4']) {
    const asChip = await engine.verify(chipRef, photo(live), { operatingPoint: name });
    const asEnrolment = await engine.verify({ ...chipRef, source: 'enrolment' }, photo(live), { operatingPoint: name });
    assert.is(asChip.threshold, config.chipOperatingPoints![name]!.threshold, name);
    assert.is(asEnrolment.threshold, config.operatingPoints[name]!.threshold, name);
  }
});

t('chip-style references (JPEG and JPEG 2000, ≤ 18 KB) decide genuine and impostor live photos correctly', async ({ engine, chip, ids }) => {
  const ps = people(ids);
  const wrong: string[] = [];
  for (const [k, { ref }] of ps.entries()) {
    for (const format of ['jpeg', 'jp2']) {
      const r = chip.get(`${ref} ${format}`)!;
      const same = await engine.verify(r, photo(ps[k]!.live));
      const other = await engine.verify(r, photo(ps[(k + 1) % ps.length]!.live));
      if (same.decision !== 'match') wrong.push(`${ref} ${format} vs ${ps[k]!.live}: ${same.decision} ${same.score?.toFixed(3)}`);
      if (other.decision !== 'no_match') wrong.push(`${ref} ${format} vs ${ps[(k + 1) % ps.length]!.live}: ${other.decision} ${other.score?.toFixed(3)}`);
    }
  }
  assert.equal(wrong, []);
});

t.run();
