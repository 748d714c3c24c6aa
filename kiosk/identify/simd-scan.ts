import { DIM } from './scan.ts';

/**
 * The gallery scan as a WebAssembly SIMD kernel (f32x4): one function, `scan(rows, probe, out, n)`,
 * writing the float32 dot product of each of n rows (DIM float32 each, contiguous from byte
 * `rows`) with the probe (DIM float32 at byte `probe`) to `out` (n float32). V8 runs it with SSE
 * lanes, four products per instruction and four accumulators in flight, where plain JavaScript
 * does one multiply-add at a time (scan.ts). The module is encoded here byte by byte (a few
 * dozen instructions) rather than shipped as a binary or built with a toolchain, so nothing new
 * is installed and the source is what runs.
 *
 * Float32 sums are not the exact scores the index answers with: callers take these as a first
 * pass and re-score the rows that can still be in the top k exactly (gallery-index.ts); the
 * difference is bounded by SIMD_SCORE_BOUND for unit vectors.
 */

/**
 * |float32 SIMD score − exact score| for unit-length row and probe: the probe rounded to float32
 * (≤ 2^-24 relative per value) plus 128 float32 additions per lane and 6 to combine lanes, each
 * ≤ 2^-24 of a partial sum whose magnitude is ≤ 1 (Cauchy–Schwarz): under 200·2^-24 ≈ 1.2e-5.
 * Taken as 1e-4, eight times wider, so rounding in the bound itself can never matter.
 */
export const SIMD_SCORE_BOUND = 1e-4;

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (s: string): number[] => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// Opcodes (core and the 0xFD SIMD prefix).
const I32 = 0x7f, V128 = 0x7b;
const get = (l: number) => [0x20, l], set = (l: number) => [0x21, l], tee = (l: number) => [0x22, l];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a, GE_U = 0x4f, LT_U = 0x49, F32_ADD = 0x92;
const vload = (offset: number) => [0xfd, ...leb(0x00), 4, ...leb(offset)];
const vzero = [0xfd, ...leb(0x0c), ...new Array<number>(16).fill(0)];
const fmul = [0xfd, ...leb(0xe6)], fadd = [0xfd, ...leb(0xe4)];
const lane = (i: number) => [0xfd, ...leb(0x1f), i];

function moduleBytes(): Uint8Array {
  // params: 0 rows, 1 probe, 2 out, 3 n; locals: 4 r, 5 i, 6..9 four v128 accumulators
  const [ROWS, PROBE, OUT, N, R, I] = [0, 1, 2, 3, 4, 5];
  const acc = [6, 7, 8, 9];
  const step = acc.flatMap((a, k) => [...get(a), ...get(ROWS), ...get(I), ADD, ...vload(16 * k), ...get(PROBE), ...get(I), ADD, ...vload(16 * k), ...fmul, ...fadd, ...set(a)]);
  const sumLanes = [...get(6), ...get(7), ...fadd, ...get(8), ...get(9), ...fadd, ...fadd, ...tee(6), ...lane(0), ...get(6), ...lane(1), F32_ADD, ...get(6), ...lane(2), ...get(6), ...lane(3), F32_ADD, F32_ADD];
  const body = [
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $row
    ...get(R), ...get(N), GE_U, 0x0d, 1, // br_if $done
    ...acc.flatMap((a) => [...vzero, ...set(a)]),
    ...i32(0), ...set(I),
    0x03, 0x40, // loop $inner
    ...step,
    ...get(I), ...i32(64), ADD, ...tee(I), ...i32(DIM * 4), LT_U, 0x0d, 0, // br_if $inner
    0x0b,
    ...get(OUT), ...sumLanes, 0x38, 2, 0, // f32.store align=4 offset=0
    ...get(OUT), ...i32(4), ADD, ...set(OUT),
    ...get(ROWS), ...i32(DIM * 4), ADD, ...set(ROWS),
    ...get(R), ...i32(1), ADD, ...set(R),
    0x0c, 0, // br $row
    0x0b, // end loop
    0x0b, // end block
    0x0b, // end function
  ];
  const locals = vec([[2, I32], [4, V128]]);
  const code = [...locals, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32]]), 0]])),
    ...section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, ...leb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('scan'), 0x00, 0]])),
    ...section(10, vec([[...leb(code.length), ...code]])),
  ]);
}

/** The part of the WebAssembly global used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => WasmMemory;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export interface SimdScanner {
  readonly memory: WasmMemory;
  scan(rowsByte: number, probeByte: number, outByte: number, n: number): void;
}

let compiled: object | null | undefined;

/** A kernel over a fresh memory of `pages` 64 KiB pages; null where WebAssembly SIMD is not available. */
export function createSimdScanner(pages: number): SimdScanner | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = WA && WA.validate(bytes) ? new WA.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled || !WA) return null;
  const memory = new WA.Memory({ initial: Math.max(1, pages) });
  const inst = new WA.Instance(compiled, { e: { m: memory } });
  const scan = inst.exports.scan as (a: number, b: number, c: number, d: number) => void;
  return { memory, scan: (a, b, c, d) => scan(a, b, c, d) };
}
