import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prng } from '../../core/prng.ts';
import { judge, readyToDecide, type DecideOptions } from '../../kiosk/corridor/decide.ts';
import { LinearGallery, referenceIdentifier } from '../../kiosk/corridor/identify-port.ts';
import type { TrackView } from '../../kiosk/corridor/tracker.ts';
import { noisyTemplate, randomTemplate } from '../../scripts/sim/corridor-walk.ts';

const o: DecideOptions = { minFrames: 3, decisionLineM: 1.5, corridorLengthM: 5, livenessThreshold: 0.5 };
const view = (z: number, frames: number, liveness: number | null, template = new Float32Array(512)): TrackView => ({
  id: 1, z, x: 0, vz: 1.2, frames, cameras: 2, etaS: (5 - z) / 1.2, atExit: 5 - z <= 0.8, fused: { template, liveness, frames },
});

test('a match is taken once enough frames are pooled; a refusal only at the decision line', () => {
  const c = { subject: 's1', score: 0.7 };
  assert.is(readyToDecide(view(1, 2, 0.9), o), false);
  assert.is(readyToDecide(view(1, 3, 0.9), o), true);
  assert.is(readyToDecide(view(3.6, 1, 0.9), o), true, 'at the line with one frame');
  assert.is(judge(view(1, 3, 0.9), c, o)?.kind, 'match');
  assert.is(judge(view(1, 3, 0.9), null, o), null, 'no candidate yet: keep pooling');
  assert.is(judge(view(3.6, 5, 0.9), null, o)?.kind, 'no_match');
  assert.is(judge(view(3.6, 1, 0.9), c, o)?.kind, 'match', 'at the line what there is decides');
});

test('liveness comes first and fails closed', () => {
  const c = { subject: 's1', score: 0.9 };
  assert.is(judge(view(1, 5, 0.2), c, o), null, 'a doubtful face keeps pooling before the line');
  assert.is(judge(view(3.6, 5, 0.2), c, o)?.kind, 'spoof');
  assert.is(judge(view(3.6, 5, null), c, o)?.kind, 'spoof');
  assert.is(judge(view(3.6, 5, Number.NaN), c, o)?.kind, 'spoof');
});

test('the in-memory gallery finds the enrolled face above its threshold and nobody else', async () => {
  const rnd = prng(3);
  const g = new LinearGallery(0.4);
  const people = Array.from({ length: 50 }, () => randomTemplate(rnd));
  people.forEach((t, i) => g.add(`s${i}`, t));
  assert.is(g.size, 50);
  const probe = noisyTemplate(people[17]!, 0.9, rnd);
  assert.is((await g.identify(probe))?.subject, 's17');
  assert.is(await g.identify(randomTemplate(rnd)), null);
  const one = referenceIdentifier('s17', people[17]!, 0.4);
  assert.is((await one.identify(probe))?.subject, 's17');
  assert.is(await one.identify(people[3]!), null);
});

test.run();
