import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prng } from '../../core/prng.ts';
import { GalleryIndex, IdentifyError } from '../../kiosk/identify/index.ts';
import { propertyRun } from '../helpers/property.ts';

/** Gaussian unit-ish templates from a seed (not normalised: the index must normalise). */
function templates(seed: number, n: number): Float32Array[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: 512 }, () => {
    const u = 1 - r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r()) * (0.5 + r());
  }));
}

/** The reference answer: cosine in doubles against every template, best first, ties by sub. */
function bruteForce(gallery: Map<string, Float32Array>, probe: Float32Array, k: number): { sub: string; score: number }[] {
  const norm = (t: Float32Array): number => Math.sqrt(t.reduce((s, v) => s + v * v, 0));
  const np = norm(probe);
  return [...gallery].map(([sub, t]) => ({ sub, score: t.reduce((s, v, i) => s + v * probe[i]!, 0) / (norm(t) * np) }))
    .sort((a, b) => b.score - a.score || (a.sub < b.sub ? -1 : 1)).slice(0, k);
}

function sameAnswer(got: { sub: string; score: number }[], want: { sub: string; score: number }[]): void {
  assert.is(got.length, want.length);
  got.forEach((g, i) => {
    assert.ok(Math.abs(g.score - want[i]!.score) < 1e-6, `rank ${i}: score ${g.score} vs ${want[i]!.score}`);
    // rows whose exact scores differ by less than float32 storage error may swap; otherwise the sub must match
    const tie = [want[i - 1], want[i + 1]].some((w) => w && Math.abs(w.score - want[i]!.score) < 1e-6);
    if (!tie) assert.is(g.sub, want[i]!.sub, `rank ${i}`);
  });
}

test('search equals brute force: exact f32, SIMD + exact re-rank, int8 + re-rank, after upserts, replacements and removals (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 0x7fffffff }), fc.integer({ min: 1, max: 160 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('f32', 'simd', 'int8'), (seed, n, k, mode) => {
      const r = prng(seed);
      const pool = templates(seed, n + 8);
      const g = new GalleryIndex({ quantized: mode === 'int8', simd: mode === 'simd' });
      const ref = new Map<string, Float32Array>();
      for (let i = 0; i < n; i++) {
        // a few exact duplicates (ties broken by sub) and near-duplicates (a mate and a look-alike)
        const t = r() < 0.1 && i > 0 ? ref.get(`R${Math.floor(r() * i)}`) ?? pool[i]! : pool[i]!;
        g.upsert(`R${i}`, t);
        ref.set(`R${i}`, t);
      }
      for (let j = 0; j < n / 4; j++) {
        const sub = `R${Math.floor(r() * n)}`;
        if (r() < 0.5) { assert.is(g.remove(sub), ref.delete(sub)); } else { g.upsert(sub, pool[n + (j % 8)]!); ref.set(sub, pool[n + (j % 8)]!); }
      }
      assert.is(g.size, ref.size);
      const probes = [pool[n]!, ...[...ref.values()].slice(0, 2).map((t) => t.map((v, i) => v + 0.3 * pool[n + 1]![i]!))];
      for (const p of probes) sameAnswer(g.search(p, k), bruteForce(ref, p, k));
    }),
    propertyRun('gallery search = brute force', { numRuns: 60 }),
  );
});

test('a mate is found first with score ~1; k larger than the gallery returns the whole gallery', () => {
  const ts = templates(7, 50);
  for (const quantized of [false, true]) {
    const g = GalleryIndex.build(ts.map((t, i) => ({ sub: `S${i}`, template: t })), { quantized });
    const top = g.search(ts[17]!.map((v) => v * 3), 3);
    assert.is(top[0]!.sub, 'S17');
    assert.ok(Math.abs(top[0]!.score - 1) < 1e-6);
    assert.ok(top[0]!.score >= top[1]!.score && top[1]!.score >= top[2]!.score);
    assert.is(g.search(ts[0]!, 1000).length, 50);
  }
});

test('the SIMD first pass gives exactly the exact scan: same subs, same scores, same tie order, in search and searchAsync (5,000 rows, near-duplicates)', async () => {
  const ts = templates(23, 5000);
  // near-duplicates within the float32 error of the SIMD pass: only the exact re-rank orders them right
  for (let i = 1; i < 40; i++) ts[i * 97] = ts[7]!.map((v, j) => v + (j === i ? 1e-6 : 0));
  const plain = GalleryIndex.build(ts.map((t, i) => ({ sub: `S${i}`, template: t })), { simd: false });
  const simd = GalleryIndex.build(ts.map((t, i) => ({ sub: `S${i}`, template: t })));
  assert.ok(simd.simd, 'WebAssembly SIMD is available on Node 20');
  assert.not.ok(plain.simd);
  for (const probe of [ts[7]!, ts[4000]!.map((v, i) => v + 0.5 * ts[12]![i]!), templates(99, 1)[0]!]) {
    for (const k of [1, 2, 5, 50]) {
      assert.equal(simd.search(probe, k), plain.search(probe, k));
      assert.equal(await simd.searchAsync(probe, k, 700), plain.search(probe, k));
    }
  }
  // Two searches in flight at once, slices interleaved: each gets its own answer.
  const [p1, p2] = [ts[7]!, ts[2500]!];
  assert.equal(await Promise.all([simd.searchAsync(p1, 5, 300), simd.searchAsync(p2, 5, 300)]), [plain.search(p1, 5), plain.search(p2, 5)]);
  simd.close();
  plain.close();
});

test('searchAsync gives the answer of search, in slices, and starts over when the gallery changes mid-scan', async () => {
  const ts = templates(11, 300);
  const g = GalleryIndex.build(ts.slice(0, 200).map((t, i) => ({ sub: `S${i}`, template: t })));
  const probe = ts[250]!.map((v, i) => v + ts[42]![i]!);
  assert.equal(await g.searchAsync(probe, 7, 16), g.search(probe, 7));
  const pending = g.searchAsync(probe, 7, 16);
  g.upsert('LATE', probe); // lands between two slices
  const got = await pending;
  assert.is(got[0]!.sub, 'LATE');
  assert.equal(got, g.search(probe, 7));
});

test('bad probes and arguments are typed errors; an empty gallery answers nothing', () => {
  const g = new GalleryIndex();
  assert.equal(g.search(templates(1, 1)[0]!, 5), []);
  g.upsert('A', templates(2, 1)[0]!);
  const code = (fn: () => unknown): string => { try { fn(); } catch (err) { assert.instance(err, IdentifyError); return (err as IdentifyError).code; } return 'no error'; };
  assert.is(code(() => g.search(new Float32Array(511), 1)), 'IDENTIFY_BAD_PROBE');
  assert.is(code(() => g.search(new Float32Array(512), 1)), 'IDENTIFY_BAD_PROBE');
  assert.is(code(() => g.search(new Float32Array(512).fill(NaN), 1)), 'IDENTIFY_BAD_PROBE');
  assert.is(code(() => g.search(templates(3, 1)[0]!, 0)), 'IDENTIFY_BAD_ARGUMENT');
  assert.is(code(() => g.search(templates(3, 1)[0]!, 1.5)), 'IDENTIFY_BAD_ARGUMENT');
  assert.is(code(() => g.upsert('', templates(3, 1)[0]!)), 'IDENTIFY_BAD_ARGUMENT');
  assert.is(code(() => g.upsert('B', new Float32Array(512).fill(Infinity))), 'IDENTIFY_BAD_ARGUMENT');
  assert.is(g.size, 1);
  g.close();
  assert.is(g.size, 0);
  assert.equal(g.search(templates(1, 1)[0]!, 5), []);
});

test.run();
