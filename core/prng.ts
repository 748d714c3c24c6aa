/**
 * A small deterministic PRNG (mulberry32): seeded runs — property tests, the soak, the face
 * benchmarks' presentation sequences and attack sets — replay exactly from their printed seed.
 * Not for anything secret: keys, nonces and challenges come from node:crypto.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
