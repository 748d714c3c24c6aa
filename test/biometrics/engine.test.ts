import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { faceSection, type FaceConfig } from '../../config/sections/face.ts';
import { loadManifest, MODELS_DIR } from '../../models/provision.ts';
import { createFaceEngine, FaceEngineError, FaceInputError, type FaceEngine, type FaceReference, type RawFrame } from '../../kiosk/biometrics/index.ts';

const FIXTURES = new URL('../../fixtures/faces/', import.meta.url).pathname;
const index = JSON.parse(readFileSync(join(FIXTURES, 'index.json'), 'utf8')).faces as Record<string, { identity: string; role: string }>;
const photo = (f: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, f)));
const calibration = { data: 'test', genuinePairs: 0, impostorPairs: 0, far: 0, tar: 0, date: '2026-11-23' };
// Chip references get a deliberately strict point here so the test can see which set was used.
const config: FaceConfig = faceSection.parse({ chipOperatingPoints: { 'fmr_1e-4': { threshold: 0.99, calibration } } });

async function rawFrame(bytes: Uint8Array, width = 1280, height = 720): Promise<RawFrame> {
  const { data, info } = await sharp(bytes).resize(width, height, { fit: 'contain', background: '#707070' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${(err as Error).name}:${(err as { code?: string }).code}`;
  }
  return 'resolved';
}

const t = suite<{ engine: FaceEngine; refs: Map<string, FaceReference> }>('face engine on the fixtures');

t.before(async (ctx) => {
  ctx.engine = await createFaceEngine(config, { workers: 1 });
  ctx.refs = new Map();
  for (const [f, e] of Object.entries(index)) {
    if (e.role !== 'reference') continue;
    const r = await ctx.engine.extractReference(photo(f));
    assert.ok(r.acceptable, `${f}: ${r.issues.join(',')}`);
    assert.is(r.template.length, 512);
    ctx.refs.set(e.identity, { template: r.template, source: 'enrolment' });
  }
});

t.after(async (ctx) => {
  await ctx.engine?.close();
});

t('each live photo matches its own reference and no other at the default fmr_1e-4', async ({ engine, refs }) => {
  for (const [f, e] of Object.entries(index)) {
    if (e.role !== 'live') continue;
    for (const [identity, ref] of refs) {
      const r = await engine.verify(ref, photo(f));
      assert.is(r.decision, identity === e.identity ? 'match' : 'no_match', `${f} vs ${identity}: ${r.score}`);
      assert.is(r.threshold, config.operatingPoints['fmr_1e-4']!.threshold);
      assert.ok(r.liveness! > config.livenessThreshold);
      assert.ok(r.timings.total! > 0 && r.timings.detect! > 0 && r.timings.embed! > 0);
    }
  }
});

t('screen replays of a matching face are refused as spoofs', async ({ engine, refs }) => {
  for (const [f, e] of Object.entries(index)) {
    if (e.role !== 'spoof') continue;
    const r = await engine.verify(refs.get(e.identity)!, photo(f));
    assert.is(r.decision, 'spoof', `${f}: liveness ${r.liveness}`);
    assert.ok(r.score! >= r.threshold, 'the face itself would match');
  }
});

t('a raw 1280×720 RGB24 frame decides like the encoded photo', async ({ engine, refs }) => {
  const ref = refs.get('person01')!;
  const enc = await engine.verify(ref, photo('person01-1.jpg'));
  const raw = await engine.verify(ref, await rawFrame(photo('person01-1.jpg')));
  assert.is(raw.decision, 'match');
  assert.ok(Math.abs(raw.score! - enc.score!) < 0.08, `${raw.score} vs ${enc.score}`);
});

t('greyscale, EXIF-rotated, tiny ID-style crop and very large copies still match', async ({ engine, refs }) => {
  const ref = refs.get('person03')!;
  const live = photo('person03-8.jpg');
  const { quality } = await engine.extractReference(live);
  const [x1, y1, x2, y2] = quality.box;
  const w = x2 - x1, h = y2 - y1;
  const crop = await sharp(live).extract({ left: Math.max(0, Math.round(x1 - 0.1 * w)), top: Math.max(0, Math.round(y1 - 0.15 * h)), width: Math.round(1.2 * w), height: Math.round(1.25 * h) }).resize(96, 120, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
  const variants: Record<string, Buffer> = {
    grey: await sharp(live).toColourspace('b-w').png().toBuffer(),
    // Stored rotated on its side with an EXIF tag that turns it upright again.
    exif: await sharp(live).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer(),
    'id-crop 96×120': crop,
    'large 6000 px': await sharp(live).resize(6000).jpeg({ quality: 80 }).toBuffer(),
    webp: await sharp(live).webp().toBuffer(),
  };
  for (const [name, bytes] of Object.entries(variants)) {
    const r = await engine.verify(ref, new Uint8Array(bytes));
    assert.ok(r.score !== null && r.score >= r.threshold, `${name}: ${r.decision} ${r.score}`);
  }
});

t('several faces: the dominant central face is verified and the others are reported', async ({ engine, refs }) => {
  const main = await sharp(photo('person01-1.jpg')).resize({ height: 640 }).toBuffer();
  const side = await sharp(photo('person02-44.jpg')).resize({ height: 420 }).toBuffer();
  const mainW = (await sharp(main).metadata()).width!;
  const scene = await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#606060' } })
    .composite([{ input: side, left: 0, top: 300 }, { input: main, left: Math.round(640 - mainW / 2), top: 40 }])
    .jpeg().toBuffer();
  const r = await engine.verify(refs.get('person01')!, new Uint8Array(scene));
  assert.is(r.decision, 'match', `${r.decision} ${r.score} ${r.issues}`);
  assert.ok(r.otherFaces >= 1);
  assert.ok(r.issues.includes('several_faces'));
  assert.ok(r.quality!.faceCount >= 2);
});

t('blurred or underexposed captures are poor_quality, with the reason', async ({ engine, refs }) => {
  const live = photo('person01-1.jpg');
  const blurred = await engine.verify(refs.get('person01')!, new Uint8Array(await sharp(live).blur(6).jpeg().toBuffer()));
  assert.is(blurred.decision, 'poor_quality');
  assert.ok(blurred.issues.includes('blur'), blurred.issues.join());
  const dark = await engine.verify(refs.get('person01')!, new Uint8Array(await sharp(live).linear(0.2, 0).jpeg().toBuffer()));
  assert.is(dark.decision, 'poor_quality');
  assert.ok(dark.issues.includes('too_dark'), dark.issues.join());
  assert.ok(dark.score !== null && blurred.liveness !== null, 'scores are still reported for the journal');
});

t('no face: verify decides no_face, extractReference rejects with NO_FACE', async ({ engine, refs }) => {
  const blank = new Uint8Array(await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6ea5' } }).png().toBuffer());
  const r = await engine.verify(refs.get('person01')!, blank);
  assert.is(r.decision, 'no_face');
  assert.is(r.score, null);
  assert.equal(r.issues, ['no_face']);
  assert.is(await code(engine.extractReference(blank)), 'FaceEngineError:NO_FACE');
});

t('bad input is a typed error and the engine keeps working', async ({ engine, refs }) => {
  const ref = refs.get('person01')!;
  const live = photo('person01-1.jpg');
  assert.is(await code(engine.verify(ref, new Uint8Array(0))), 'FaceInputError:IMAGE_EMPTY');
  assert.is(await code(engine.verify(ref, new TextEncoder().encode('GIF89a but not really'))), 'FaceInputError:IMAGE_UNSUPPORTED');
  assert.is(await code(engine.verify(ref, live.subarray(0, live.length >> 1))), 'FaceInputError:IMAGE_CORRUPT');
  assert.is(await code(engine.verify(ref, { width: 100, height: 100, channels: 3, data: new Uint8Array(5) })), 'FaceInputError:FRAME_INVALID');
  assert.is(await code(engine.verify(ref, 'a path' as never)), 'FaceInputError:IMAGE_UNSUPPORTED');
  assert.is(await code(engine.verify({ template: new Float32Array(3), source: 'enrolment' }, live)), 'FaceInputError:TEMPLATE_INVALID');
  assert.is(await code(engine.verify(ref, live, { operatingPoint: 'fmr_1e-9' })), 'FaceEngineError:OPERATING_POINT_UNKNOWN');
  assert.is((await engine.verify(ref, live)).decision, 'match');
});

t('concurrent verifications each get their own answer', async ({ engine, refs }) => {
  const ref = refs.get('person01')!;
  const [a, b, c] = await Promise.all([engine.verify(ref, photo('person01-1.jpg')), engine.verify(ref, photo('person02-44.jpg')), engine.verify(ref, photo('person07-30.jpg'))]);
  assert.equal([a.decision, b.decision, c.decision], ['match', 'no_match', 'no_match']);
});

t('chip references use face.chipOperatingPoints; fmr_1e-4 is stricter than fmr_1e-3', async ({ engine, refs }) => {
  const enrolled = refs.get('person01')!;
  const chip: FaceReference = { template: enrolled.template, source: 'chip' };
  const r = await engine.verify(chip, photo('person01-1.jpg'));
  assert.is(r.threshold, 0.99);
  assert.is(r.decision, 'no_match');
  const strict = await engine.verify(enrolled, photo('person01-1.jpg'), { operatingPoint: 'fmr_1e-4' });
  assert.ok(strict.threshold > config.operatingPoints['fmr_1e-3']!.threshold);
});

t('compare is the cosine of two templates', async ({ engine, refs }) => {
  const a = refs.get('person01')!.template;
  assert.ok(Math.abs(engine.compare(a, a) - 1) < 1e-5);
  assert.ok(engine.compare(a, refs.get('person02')!.template) < 0.4);
  assert.throws(() => engine.compare(a, new Float32Array(10)), (e: unknown) => e instanceof FaceInputError);
});

t.run();

const m = suite('face engine start-up and shutdown');

m('refuses to start when a model is missing or altered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-models-'));
  try {
    const manifest = loadManifest();
    for (const e of manifest.models) symlinkSync(join(MODELS_DIR, e.file), join(dir, e.file));
    const altered = { ...manifest, models: manifest.models.map((e, i) => (i === 2 ? { ...e, sha256: '0'.repeat(64) } : e)) };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(altered));
    assert.is(await code(createFaceEngine(config, { modelsDir: dir })), 'ModelError:MODEL_CHECKSUM');
    rmSync(join(dir, manifest.models[0]!.file));
    assert.is(await code(createFaceEngine(config, { modelsDir: dir })), 'ModelError:MODEL_MISSING');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

m('after close, calls reject with ENGINE_CLOSED', async () => {
  const engine = await createFaceEngine(config, { workers: 1 });
  const ref = await engine.extractReference(photo('person01-2.jpg'));
  await engine.close();
  const err = await engine.verify({ template: ref.template, source: 'enrolment' }, photo('person01-1.jpg')).catch((e: unknown) => e);
  assert.instance(err, FaceEngineError);
  assert.is((err as FaceEngineError).code, 'ENGINE_CLOSED');
});

m.run();

const p = suite('face worker pool');

p('a worker that cannot load its models fails start-up with a typed error and leaves no thread behind', async () => {
  const { WorkerPool } = await import('../../kiosk/biometrics/pool.ts');
  const models = { detect: '/nonexistent/fr_detect.onnx', landmark: '/nonexistent/a', feature: '/nonexistent/b', liveness: '/nonexistent/c' };
  assert.is(await code(WorkerPool.start(2, { models, intraOpThreads: 1, minDetectionScore: 0.7 })), 'FaceEngineError:WORKER_FAILED');
});

p('a crashed worker fails its pending request with WORKER_FAILED and is replaced', async () => {
  const { WorkerPool } = await import('../../kiosk/biometrics/pool.ts');
  const { verifyModels } = await import('../../models/provision.ts');
  const pool = await WorkerPool.start(1, { models: verifyModels(), intraOpThreads: 1, minDetectionScore: 0.7 });
  try {
    const pending = pool.analyse(photo('person01-1.jpg'), true);
    await pool.crashOneWorker();
    assert.is(await code(pending), 'FaceEngineError:WORKER_FAILED');
    const after = await pool.analyse(photo('person01-1.jpg'), true);
    assert.ok(after.found);
    assert.is(pool.size, 1);
  } finally {
    await pool.close();
  }
});

p('a frame cut from a larger buffer is verified like a standalone one', async () => {
  const engine = await createFaceEngine(config, { workers: 1 });
  try {
    const ref = await engine.extractReference(photo('person01-2.jpg'));
    const frame = await rawFrame(photo('person01-1.jpg'), 640, 360);
    const chunk = new Uint8Array(frame.data.length * 3);
    chunk.set(frame.data, frame.data.length);
    const cut = { ...frame, data: chunk.subarray(frame.data.length, 2 * frame.data.length) };
    const a = await engine.verify({ template: ref.template, source: 'enrolment' }, frame);
    const b = await engine.verify({ template: ref.template, source: 'enrolment' }, cut);
    assert.is(b.decision, 'match');
    assert.is(a.score, b.score);
    assert.is(cut.data.byteOffset, frame.data.length, 'the caller\'s frame is left as it was');
  } finally {
    await engine.close();
  }
});

p.run();
