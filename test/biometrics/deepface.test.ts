import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { faceSection } from '../../config/sections/face.ts';
import { createFaceEngine, type FaceEngine, type FaceQuality, type FaceReference } from '../../kiosk/biometrics/index.ts';
import { iou } from '../../kiosk/biometrics/detect.ts';
import { peerSuite } from '../helpers/suite.ts';

// CI checks out the repo with shared/ beside it; EGATE_FACES_DIR overrides.
const FACES = process.env.EGATE_FACES_DIR ?? new URL('../../../shared/faces/deepface', import.meta.url).pathname;
const config = faceSection.parse({});
const threshold = config.operatingPoints[config.operatingPoint]!.threshold;

function csv(name: string): string[][] {
  return readFileSync(join(FACES, name), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
}

const t = peerSuite<{ engine: FaceEngine; refs: Map<string, { template: Float32Array; quality: FaceQuality }>; ids: Map<string, string> }>(
  'face engine on shared/faces/deepface',
  [],
  [{ path: join(FACES, 'identities.csv'), hint: 'shared face photos (../shared/faces/deepface beside the repo, or EGATE_FACES_DIR)' }],
);

t.before(async (ctx) => {
  if (!existsSync(join(FACES, 'identities.csv'))) return;
  ctx.engine = await createFaceEngine(config, { workers: 1 });
  ctx.ids = new Map(csv('identities.csv').map(([f, id]) => [f!, id!]));
  ctx.refs = new Map();
  // Every photo must yield a face: a failed detection rejects here and fails the suite.
  for (const f of ctx.ids.keys()) ctx.refs.set(f, await ctx.engine.extractReference(new Uint8Array(readFileSync(join(FACES, f)))));
});

t.after(async (ctx) => {
  await ctx.engine?.close();
});

t('every pair of pairs.csv is decided correctly at the configured operating point', ({ engine, refs }) => {
  const pairs = csv('pairs.csv');
  assert.ok(pairs.length >= 300);
  const wrong: string[] = [];
  for (const [a, b, decision] of pairs) {
    const s = engine.compare(refs.get(a!)!.template, refs.get(b!)!.template);
    if ((s >= threshold) !== (decision === 'same')) wrong.push(`${a}~${b} ${decision} ${s.toFixed(3)}`);
  }
  assert.equal(wrong, []);
});

t('every photo, verified as a live capture against another photo of the same person, is a live match', async ({ engine, refs, ids }) => {
  const failures: string[] = [];
  for (const [f, id] of ids) {
    const other = [...ids].find(([g, gid]) => gid === id && g !== f)![0];
    const ref: FaceReference = { template: refs.get(other)!.template, source: 'enrolment' };
    const r = await engine.verify(ref, new Uint8Array(readFileSync(join(FACES, f))));
    if (r.decision !== 'match') failures.push(`${f} vs ${other}: ${r.decision} score ${r.score?.toFixed(3)} liveness ${r.liveness?.toFixed(3)} ${r.issues}`);
  }
  assert.equal(failures, []);
});

t('img41.jpg: the real face wins over the blurred background detection', ({ refs }) => {
  // Where the face is (measured once, checked by eye; pixels of the 2500×2070 original): a large central box, not the background.
  const box = refs.get('img41.jpg')!.quality.box;
  assert.ok(iou(box, [681, 406, 1482, 1486]) > 0.7, `chosen box ${box}`);
});

t.run();
