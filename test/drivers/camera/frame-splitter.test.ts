import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameSplitter } from '../../../drivers/camera/frame-splitter.ts';
import { propertyRun } from '../../helpers/property.ts';

function stream(frames: number, size: number): Uint8Array {
  const s = new Uint8Array(frames * size);
  for (let i = 0; i < s.length; i++) s[i] = (i * 7 + Math.floor(i / size)) & 0xff;
  return s;
}

test('any chunking of the stream yields the same frames, in order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 6 }), fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 40 }), (size, frames, cuts) => {
      const all = stream(frames, size);
      const out: Uint8Array[] = [];
      const sp = new FrameSplitter(size, (f) => out.push(f.slice()));
      let off = 0;
      let k = 0;
      while (off < all.length) {
        const n = cuts[k++ % cuts.length] ?? 1;
        sp.push(all.subarray(off, off + n));
        off += n;
      }
      assert.is(out.length, frames);
      out.forEach((f, i) => assert.equal(f, all.subarray(i * size, (i + 1) * size)));
      assert.is(sp.pending, 0);
    }), propertyRun('frame-splitter #1'),
  );
});

test('a frame inside one chunk is a view of it (no copy); a spanning frame is a fresh buffer', () => {
  const chunk = new Uint8Array(10).map((_, i) => i);
  const out: Uint8Array[] = [];
  const sp = new FrameSplitter(4, (f) => out.push(f));
  sp.push(chunk); // frames 0-3, 4-7, then 2 bytes pending
  assert.is(out[0]?.buffer, chunk.buffer);
  assert.is(sp.pending, 2);
  sp.push(new Uint8Array([10, 11, 12]));
  assert.is.not(out[2]?.buffer, chunk.buffer);
  assert.equal([...(out[2] ?? [])], [8, 9, 10, 11]);
  assert.is(sp.pending, 1);
});

test('reset drops a partial frame so a restarted source starts aligned', () => {
  const out: number[][] = [];
  const sp = new FrameSplitter(3, (f) => out.push([...f]));
  sp.push(new Uint8Array([1, 2]));
  sp.reset();
  sp.push(new Uint8Array([7, 8, 9]));
  assert.equal(out, [[7, 8, 9]]);
});

test('refuses a non-positive frame size', () => {
  assert.throws(() => new FrameSplitter(0, () => {}), RangeError);
});

test.run();
