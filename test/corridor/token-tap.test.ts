import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TapPairing } from '../../kiosk/corridor/token-tap.ts';

const unit = (i: number): Float32Array => {
  const t = new Float32Array(512);
  t[i] = 1;
  return t;
};
const tap = (subject: string, i: number) => ({ subject, reference: unit(i), threshold: 0.4, via: 'mobile' });

test('a tap pairs with the next new track, 1:1 against the token reference: the tapped face matches, another face does not', async () => {
  const p = new TapPairing(6000);
  p.add(tap('a'.repeat(32), 3), 1000);
  assert.is(p.waiting, 1);
  p.claim(7, 1500);
  assert.is(p.waiting, 0);
  const paired = p.pairedWith(7)!;
  assert.is(paired.via, 'mobile');
  assert.equal(await paired.identifier.identify(unit(3)), { subject: 'a'.repeat(32), score: 1 });
  assert.is(await paired.identifier.identify(unit(4)), null);
  // A track seen after the tap was taken has none: it is searched 1:N.
  p.claim(8, 1600);
  assert.is(p.pairedWith(8), undefined);
});

test('taps are taken oldest first; a tap nobody claims within the window lapses; a gone track drops its pairing', () => {
  const p = new TapPairing(6000);
  p.add(tap('a'.repeat(32), 1), 0);
  p.add(tap('b'.repeat(32), 2), 5000);
  p.claim(1, 7000); // the first tap is 7 s old: lapsed; the second is taken
  assert.is(p.waiting, 0);
  assert.ok(p.pairedWith(1));
  p.forget(new Set([2]));
  assert.is(p.pairedWith(1), undefined);
});

test.run();
