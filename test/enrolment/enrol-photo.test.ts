import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { enrolFromPhoto, type ReferenceExtractor } from '../../kiosk/enrolment/enrol-photo.ts';
import { EnrolmentError } from '../../kiosk/enrolment/errors.ts';
import { EgateError } from '../../kiosk/errors.ts';
import { peerSuite } from '../helpers/suite.ts';
import { QUALITY, storeFixture, template, type StoreFixture } from './helpers.ts';

/** Deterministic extractor for the store logic: the verdict is chosen by the first byte of the "photo". */
const fakeEngine: ReferenceExtractor = {
  async extractReference(image) {
    if (image[0] === 0) throw new EgateError('NO_FACE', 'no face found in the reference photo');
    const acceptable = image[0] === 1;
    return { template: template(image[1] ?? 0), quality: QUALITY, acceptable, issues: acceptable ? [] : ['too_small', 'blur'] };
  },
};

async function rejection(p: Promise<unknown>): Promise<EnrolmentError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, EnrolmentError);
    return err as EnrolmentError;
  }
  throw new Error('expected a refusal');
}

const unit = suite('enrol from photo: store logic');

unit('acceptable photos are enrolled with their quality; poor or faceless ones are refused with the reasons', async () => {
  const f = storeFixture();
  const s = f.open();
  try {
    const r = await enrolFromPhoto(s, fakeEngine, 'R0000001', Uint8Array.of(1, 4));
    assert.equal(r, { replaced: false, quality: QUALITY, issues: [] });
    assert.equal(Array.from(s.get('R0000001')!.template), Array.from(template(4)));
    assert.is(s.get('R0000001')!.source, 'photo');
    const poor = await rejection(enrolFromPhoto(s, fakeEngine, 'R0000001', Uint8Array.of(2, 5)));
    assert.is(poor.code, 'ENROLMENT_POOR_QUALITY');
    assert.equal(poor.issues, ['too_small', 'blur']);
    const none = await rejection(enrolFromPhoto(s, fakeEngine, 'R0000002', Uint8Array.of(0)));
    assert.equal([none.code, none.issues], ['ENROLMENT_POOR_QUALITY', ['no_face']]);
    // the refused photo left the existing reference alone
    assert.equal(Array.from(s.get('R0000001')!.template), Array.from(template(4)));
    assert.is(s.count(), 1);
  } finally {
    s.close();
    f.cleanup();
  }
});

unit.run();

const FACES = '/work/shared/faces/deepface';
const real = peerSuite<{ f: StoreFixture; engine: FaceEngine }>('enrol from photo: real face engine', [], [
  { path: `${FACES}/img1.jpg`, hint: 'the shared deepface photos (/work/shared/faces)' },
  { path: new URL('../../models/fr_feature.onnx', import.meta.url).pathname, hint: 'run `npm run models`' },
]);
const config = parseConfig({});

real.before(async (ctx) => {
  ctx.f = storeFixture();
  ctx.engine = await createFaceEngine(config.face, { workers: 1 });
});
real.after(async (ctx) => {
  await ctx.engine.close();
  ctx.f.cleanup();
});

real('a real reference photo is enrolled, and the stored template matches the same person only', async ({ f, engine }) => {
  const s = f.open();
  try {
    const r = await enrolFromPhoto(s, engine, 'R0012345', readFileSync(`${FACES}/img1.jpg`));
    assert.ok(r.quality.interEyePx >= config.face.quality.minInterEyePx);
    const stored = s.get('R0012345')!.template;
    const threshold = config.face.operatingPoints[config.face.operatingPoint]!.threshold;
    const samePerson = (await engine.extractReference(readFileSync(`${FACES}/img2.jpg`))).template;
    const otherPerson = (await engine.extractReference(readFileSync(`${FACES}/img26.jpg`))).template;
    assert.ok(engine.compare(stored, samePerson) >= threshold, 'same person must match the stored reference');
    assert.ok(engine.compare(stored, otherPerson) < threshold, 'another person must not match');
  } finally {
    s.close();
  }
});

real('a poor photo (the same face shrunk to a thumbnail) is refused and nothing is stored', async ({ f, engine }) => {
  const s = f.open();
  try {
    const tiny = await sharp(readFileSync(`${FACES}/img1.jpg`)).resize({ width: 90 }).jpeg().toBuffer();
    const err = await rejection(enrolFromPhoto(s, engine, 'R0000099', tiny));
    assert.is(err.code, 'ENROLMENT_POOR_QUALITY');
    assert.ok(err.issues.length > 0);
    assert.not.ok(s.has('R0000099'));
  } finally {
    s.close();
  }
});

real('enrol CLI: add a good photo, refuse a poor one (exit 1, reasons), list, export, import', async ({ f }) => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/enrol.ts', '--store', `${f.dir}/cli.sqlite`, '--key', `${f.dir}/keys/cli.key`, ...args], {
      encoding: 'utf8',
      cwd: new URL('../..', import.meta.url).pathname,
    });
  const tiny = `${f.dir}/tiny.jpg`;
  writeFileSync(tiny, await sharp(readFileSync(`${FACES}/img1.jpg`)).resize({ width: 90 }).jpeg().toBuffer());
  // A read before any add (or a mistyped --store) creates neither a store nor a key.
  const none = cli('list');
  assert.is(none.status, 2);
  assert.match(none.stderr, /^ENROLMENT_NO_STORE: no reference store at /);
  assert.not.ok(existsSync(`${f.dir}/cli.sqlite`) || existsSync(`${f.dir}/keys/cli.key`));
  const add = cli('add', 'R0012345', `${FACES}/img1.jpg`);
  assert.is(add.status, 0, add.stderr);
  assert.match(add.stdout, /^enrolled R0012345: inter-eye \d+ px/);
  const poor = cli('add', 'R0000099', tiny);
  assert.is(poor.status, 1, poor.stderr);
  assert.match(poor.stderr, /refused: (photo refused for enrolment: \w+|no face found)/);
  const list = cli('list', '--json');
  assert.is(list.status, 0, list.stderr);
  assert.equal((JSON.parse(list.stdout) as { sub: string }[]).map((r) => r.sub), ['R0012345']);
  assert.is(cli('export', `${f.dir}/cli.export`).status, 0);
  assert.is(cli('remove', 'R0012345').status, 0);
  assert.is(cli('remove', 'R0012345').status, 1);
  const imp = cli('import', `${f.dir}/cli.export`);
  assert.is(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, /imported 1 reference\(s\), 0 replaced/);
  assert.is(cli('list', '--json').stdout.includes('"R0012345"'), true);
});

real.run();
