import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../kiosk/clock.ts';

test('simulated clock fires timers in due order, ties in creation order', () => {
  const c = new SimulatedClock(0);
  const seen: string[] = [];
  c.setTimeout(() => seen.push('b'), 200);
  c.setTimeout(() => seen.push('a'), 100);
  c.setTimeout(() => seen.push('a2'), 100);
  c.advance(150);
  assert.equal(seen, ['a', 'a2']);
  assert.is(c.now(), 150);
  c.advance(100);
  assert.equal(seen, ['a', 'a2', 'b']);
});

test('a timer scheduled while firing fires in the same advance when due', () => {
  const c = new SimulatedClock(0);
  const seen: number[] = [];
  c.setTimeout(() => {
    seen.push(c.monotonic());
    c.setTimeout(() => seen.push(c.monotonic()), 50);
  }, 100);
  c.advance(200);
  assert.equal(seen, [100, 150]);
});

test('intervals repeat and can be cleared; cleared timeouts never fire', () => {
  const c = new SimulatedClock(0);
  let n = 0;
  const h = c.setInterval(() => n++, 100);
  const t = c.setTimeout(() => (n += 100), 50);
  c.clearTimeout(t);
  c.advance(350);
  assert.is(n, 3);
  c.clearInterval(h);
  c.advance(1000);
  assert.is(n, 3);
  assert.is(c.pending, 0);
});

test.run();
