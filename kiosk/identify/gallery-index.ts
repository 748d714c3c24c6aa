import { existsSync } from 'node:fs';
import type { Clock } from '../clock.ts';
import { EnrolmentError } from '../enrolment/errors.ts';
import { ReferenceStore } from '../enrolment/reference-store.ts';
import { decideIdentification, type Candidate, type Identification, type IdentificationPolicy } from './decide.ts';
import { IdentifyError } from './errors.ts';
import { DIM, dotRow, dotRowI8, quantize, unitProbe } from './scan.ts';
import { createSimdScanner, SIMD_SCORE_BOUND, type SimdScanner } from './simd-scan.ts';
import { TopK } from './top-k.ts';

export type { Candidate } from './decide.ts';

export interface GalleryEntry {
  sub: string;
  template: ArrayLike<number>;
}

export interface GalleryIndexOptions {
  /** Scan int8 copies first, then re-rank exactly (same answers; 1/4 of the memory traffic). */
  quantized?: boolean;
  /**
   * First pass with the WebAssembly SIMD kernel (simd-scan.ts), then the rows that can still be
   * in the top k re-scored exactly: the same answers, several times faster. Default: on where
   * WebAssembly SIMD is available (and not with `quantized`).
   */
  simd?: boolean;
}

/** Wasm memory layout: the probe (float32) at byte 0, rows from ROWS_AT, the kernel's scores after the rows' capacity. */
const ROWS_AT = 4096;
const PAGE = 65536;

export interface GalleryStoreOptions extends GalleryIndexOptions {
  path: string;
  keyPath: string;
  clock: Clock;
}

const MAX_K = 1000;

/**
 * The in-memory template index over the opted-in part of the enrolment gallery: one row of
 * 512 float32 values per resident, L2-normalised on the way in so a score is the cosine.
 * Rows are packed (a removal moves the last row into the hole) and the memory is zeroed when
 * a row leaves or the index closes. Exact search only: a brute-force scan, the top-k kept in a
 * heap; see index.ts for the contract.
 */
export class GalleryIndex {
  readonly #quantized: boolean;
  readonly #simd: SimdScanner | null;
  #rows = new Float32Array(0);
  #q = new Int8Array(0);
  #qScale = new Float64Array(0);
  #qErr = new Float64Array(0);
  #subs: string[] = [];
  /** Bumped by every change, so a sliced search that sees the rows move starts over. */
  #version = 0;
  readonly #rowOf = new Map<string, number>();

  constructor(opts: GalleryIndexOptions = {}) {
    this.#quantized = opts.quantized === true;
    this.#simd = !this.#quantized && opts.simd !== false ? createSimdScanner(1) : null;
  }

  static build(entries: Iterable<GalleryEntry>, opts: GalleryIndexOptions = {}): GalleryIndex {
    const g = new GalleryIndex(opts);
    for (const e of entries) g.upsert(e.sub, e.template);
    return g;
  }

  /**
   * The index of every reference whose holder opted in to token-free identification, read
   * from the encrypted enrolment store. Fails closed with a typed error (IdentifyError) on a
   * missing store or key, a wrong key, an unreadable file or any opted-in record that does not
   * authenticate: a gallery silently missing residents is not built.
   */
  static fromStore(o: GalleryStoreOptions): GalleryIndex {
    if (!existsSync(o.path)) throw new IdentifyError('IDENTIFY_GALLERY_MISSING', `enrolment store ${o.path} does not exist`);
    if (!existsSync(o.keyPath)) throw new IdentifyError('IDENTIFY_GALLERY_MISSING', `enrolment store key ${o.keyPath} does not exist`);
    let store: ReferenceStore | undefined;
    try {
      store = ReferenceStore.open({ path: o.path, keyPath: o.keyPath, clock: o.clock });
      const g = new GalleryIndex(o);
      for (const ref of store.optedInReferences()) g.upsert(ref.sub, ref.template);
      return g;
    } catch (err) {
      if (err instanceof IdentifyError) throw err;
      const code = err instanceof EnrolmentError && err.code === 'ENROLMENT_WRONG_KEY' ? 'IDENTIFY_GALLERY_WRONG_KEY' : 'IDENTIFY_GALLERY_CORRUPT';
      throw new IdentifyError(code, `gallery not loaded from ${o.path}: ${(err as Error).message}`, { cause: err });
    } finally {
      store?.close();
    }
  }

  get size(): number {
    return this.#subs.length;
  }

  get quantized(): boolean {
    return this.#quantized;
  }

  /** Whether searches take the SIMD first pass. */
  get simd(): boolean {
    return this.#simd !== null;
  }

  has(sub: string): boolean {
    return this.#rowOf.has(sub);
  }

  /** Adds or replaces the template of `sub` (copied and normalised; the caller's array is not kept). */
  upsert(sub: string, template: ArrayLike<number>): void {
    if (typeof sub !== 'string' || sub.length < 1 || sub.length > 128) throw new IdentifyError('IDENTIFY_BAD_ARGUMENT', 'sub must be 1-128 characters');
    const unit = unitProbe(template);
    if (!unit) throw new IdentifyError('IDENTIFY_BAD_ARGUMENT', `template must be ${DIM} finite values, not all zero`);
    this.#version++;
    let row = this.#rowOf.get(sub);
    if (row === undefined) {
      row = this.#subs.length;
      this.#grow(row + 1);
      this.#subs.push(sub);
      this.#rowOf.set(sub, row);
    }
    this.#rows.set(unit, row * DIM);
    if (this.#quantized) {
      const { scale, err } = quantize(this.#rows, row * DIM, this.#q, row * DIM);
      this.#qScale[row] = scale;
      this.#qErr[row] = err;
    }
  }

  /** Takes `sub` out (withdrawn consent, revoked enrolment); false when it was not there. */
  remove(sub: string): boolean {
    const row = this.#rowOf.get(sub);
    if (row === undefined) return false;
    this.#version++;
    const last = this.#subs.length - 1;
    if (row !== last) {
      this.#rows.copyWithin(row * DIM, last * DIM, (last + 1) * DIM);
      this.#q.copyWithin(row * DIM, last * DIM, (last + 1) * DIM);
      this.#qScale[row] = this.#qScale[last]!;
      this.#qErr[row] = this.#qErr[last]!;
      this.#subs[row] = this.#subs[last]!;
      this.#rowOf.set(this.#subs[row]!, row);
    }
    this.#rows.fill(0, last * DIM, (last + 1) * DIM);
    this.#q.fill(0, last * DIM, (last + 1) * DIM);
    this.#subs.pop();
    this.#rowOf.delete(sub);
    return true;
  }

  /** The k best-scoring residents, best first (fewer when the gallery is smaller). */
  search(probe: ArrayLike<number>, k: number): Candidate[] {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new IdentifyError('IDENTIFY_BAD_ARGUMENT', `k must be an integer in 1..${MAX_K}`);
    const p = unitProbe(probe);
    if (!p) throw new IdentifyError('IDENTIFY_BAD_PROBE', `probe must be ${DIM} finite values, not all zero`);
    const top = new TopK(Math.min(k, this.size), (a, b) => this.#subs[a]! < this.#subs[b]!);
    if (this.#simd) {
      const pass = this.#simdPass(k);
      pass.slice(p, 0, this.size);
      pass.rerank(p, top);
    } else if (this.#quantized) this.#scanQuantized(p, top, k);
    else for (let r = 0, n = this.size; r < n; r++) {
      const s = dotRow(this.#rows, r, p);
      if (s >= top.floor) top.offer(s, r);
    }
    return top.sorted().map(({ row, score }) => ({ sub: this.#subs[row]!, score }));
  }

  /**
   * The same answer as `search` (exact f32 scan), computed in slices of `rowsPerSlice` rows with
   * the event loop free between slices: a 100,000-row scan is tens of ms of CPU, too long to
   * hold the loop that also polls the doors. A change to the index mid-scan restarts it.
   */
  async searchAsync(probe: ArrayLike<number>, k: number, rowsPerSlice = 8192): Promise<Candidate[]> {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new IdentifyError('IDENTIFY_BAD_ARGUMENT', `k must be an integer in 1..${MAX_K}`);
    const p = unitProbe(probe);
    if (!p) throw new IdentifyError('IDENTIFY_BAD_PROBE', `probe must be ${DIM} finite values, not all zero`);
    for (;;) {
      const version = this.#version;
      const top = new TopK(Math.min(k, this.size), (a, b) => this.#subs[a]! < this.#subs[b]!);
      let r = 0;
      const pass = this.#simd ? this.#simdPass(k) : null;
      for (const n = this.size; r < n && version === this.#version; ) {
        const end = Math.min(n, r + Math.max(1, rowsPerSlice));
        if (pass) {
          pass.slice(p, r, end);
          r = end;
        } else
          for (; r < end; r++) {
            const s = dotRow(this.#rows, r, p);
            if (s >= top.floor) top.offer(s, r);
          }
        if (r < n) await new Promise<void>((done) => setImmediate(done));
      }
      if (pass && version === this.#version) pass.rerank(p, top);
      if (version === this.#version) return top.sorted().map(({ row, score }) => ({ sub: this.#subs[row]!, score }));
    }
  }

  /** search(probe, 2) decided by `policy` (threshold on the best, margin over the second). */
  identify(probe: ArrayLike<number>, policy: IdentificationPolicy): Identification {
    return decideIdentification(this.search(probe, 2), policy);
  }

  /** Zeroes every template in memory and empties the index. */
  close(): void {
    this.#version++;
    this.#rows.fill(0);
    this.#q.fill(0);
    this.#subs = [];
    this.#rowOf.clear();
  }

  /**
   * The SIMD first pass of one search. Every float32 score is within SIMD_SCORE_BOUND of the
   * exact one, so the k-th best float32 score s_k is at most bound above the exact k-th best,
   * and every row of the exact top k scores at least s_k − 2·bound in float32. A slice scans
   * rows [from, to) and keeps the rows above the running s_k − 2·bound (s_k only rises, so a
   * row dropped early stays below the final one); `rerank` re-scores the survivors exactly (a
   * handful): the answer is the exact scan's, ties and all. Each slice writes the probe and
   * reads its scores within one turn, so concurrent searches never see each other's.
   */
  #simdPass(k: number): { slice(p: Float64Array, from: number, to: number): void; rerank(p: Float64Array, top: TopK): void } {
    const simd = this.#simd!;
    const kth = new TopK(Math.min(k, this.size), (a, b) => a < b);
    const cand: number[] = [];
    const candScore: number[] = [];
    return {
      slice: (p, from, to) => {
        const scoresAt = ROWS_AT + this.#rows.length * 4;
        new Float32Array(simd.memory.buffer, 0, DIM).set(p);
        simd.scan(ROWS_AT + from * DIM * 4, 0, scoresAt + from * 4, to - from);
        const scores = new Float32Array(simd.memory.buffer, scoresAt, this.#rows.length / DIM);
        for (let r = from; r < to; r++) {
          const s = scores[r]!;
          if (s >= kth.floor) kth.offer(s, r);
          if (s >= kth.floor - 2 * SIMD_SCORE_BOUND) {
            cand.push(r);
            candScore.push(s);
          }
        }
      },
      rerank: (p, top) => {
        const floor = kth.floor - 2 * SIMD_SCORE_BOUND;
        for (let i = 0; i < cand.length; i++) {
          if (candScore[i]! < floor) continue;
          const r = cand[i]!;
          const s = dotRow(this.#rows, r, p);
          if (s >= top.floor) top.offer(s, r);
        }
      },
    };
  }

  /**
   * Pass 1 scores every int8 row; each approximate score is within ±bound of the exact one
   * (bound from the stored quantisation errors of row and probe). The k-th best lower bound L
   * is a floor for the true k-th best score, so only rows whose upper bound reaches L are
   * re-scored exactly in pass 2: the result equals the exact scan.
   */
  #scanQuantized(p: Float64Array, top: TopK, k: number): void {
    const n = this.size;
    const qp = new Int8Array(DIM);
    const { scale: sp, err: ep } = quantize(p, 0, qp, 0);
    const approx = new Float64Array(n);
    const bound = new Float64Array(n);
    const lower = new TopK(Math.min(k, n), (a, b) => a < b);
    for (let r = 0; r < n; r++) {
      const a = this.#qScale[r]! * sp * dotRowI8(this.#q, r, qp);
      const e = this.#qErr[r]!;
      const b = e + ep * (1 + 1e-6 + e) + 1e-9;
      approx[r] = a;
      bound[r] = b;
      if (a - b >= lower.floor) lower.offer(a - b, r);
    }
    const floor = lower.floor;
    for (let r = 0; r < n; r++) {
      if (approx[r]! + bound[r]! < floor) continue;
      const s = dotRow(this.#rows, r, p);
      if (s >= top.floor) top.offer(s, r);
    }
  }

  #grow(rows: number): void {
    const cap = this.#rows.length / DIM;
    if (rows <= cap) return;
    const next = Math.max(rows, cap * 2, 64);
    if (this.#simd) {
      // Rows stay where they are in the wasm memory; it grows behind them (the scores move, they are scratch).
      const mem = this.#simd.memory;
      const need = Math.ceil((ROWS_AT + next * (DIM * 4 + 4)) / PAGE) - mem.buffer.byteLength / PAGE;
      if (need > 0) mem.grow(need);
      this.#rows = new Float32Array(mem.buffer, ROWS_AT, next * DIM);
      return;
    }
    const grown = new Float32Array(next * DIM);
    grown.set(this.#rows);
    this.#rows.fill(0);
    this.#rows = grown;
    if (this.#quantized) {
      const q = new Int8Array(next * DIM);
      q.set(this.#q);
      this.#q = q;
      const s = new Float64Array(next), e = new Float64Array(next);
      s.set(this.#qScale);
      e.set(this.#qErr);
      this.#qScale = s;
      this.#qErr = e;
    }
  }
}
