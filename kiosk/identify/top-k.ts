/**
 * The k best (score, row) pairs seen so far: a binary min-heap whose root is the worst kept
 * entry, so a scan rejects most rows with one comparison against `floor`. Equal scores are
 * ordered by `tieBefore` (the gallery passes "smaller sub first") so results never depend on
 * row order — the brute-force check in the tests relies on that.
 */
export class TopK {
  readonly #k: number;
  readonly #scores: Float64Array;
  readonly #rows: Int32Array;
  readonly #tieBefore: (a: number, b: number) => boolean;
  #n = 0;

  constructor(k: number, tieBefore: (rowA: number, rowB: number) => boolean) {
    this.#k = k;
    this.#scores = new Float64Array(k);
    this.#rows = new Int32Array(k);
    this.#tieBefore = tieBefore;
  }

  /** Scores below this cannot enter (−∞ until k entries are kept). */
  get floor(): number {
    return this.#n < this.#k ? -Infinity : this.#scores[0]!;
  }

  /** True when (score, row) ranks below (worse than) the kept entry at heap slot i. */
  #worse(score: number, row: number, i: number): boolean {
    const s = this.#scores[i]!;
    return score < s || (score === s && this.#tieBefore(this.#rows[i]!, row));
  }

  offer(score: number, row: number): void {
    if (this.#k === 0) return;
    if (this.#n < this.#k) {
      let i = this.#n++;
      // sift up: the parent must be worse than (or equal to) its children
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.#worse(score, row, p)) break;
        this.#scores[i] = this.#scores[p]!;
        this.#rows[i] = this.#rows[p]!;
        i = p;
      }
      this.#scores[i] = score;
      this.#rows[i] = row;
      return;
    }
    if (this.#worse(score, row, 0)) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.#n) break;
      const r = l + 1;
      const c = r < this.#n && this.#worse(this.#scores[r]!, this.#rows[r]!, l) ? r : l;
      if (this.#worse(score, row, c)) break; // the newcomer is the worst here: it stays
      this.#scores[i] = this.#scores[c]!;
      this.#rows[i] = this.#rows[c]!;
      i = c;
    }
    this.#scores[i] = score;
    this.#rows[i] = row;
  }

  /** Kept entries, best first. */
  sorted(): { row: number; score: number }[] {
    const out = Array.from({ length: this.#n }, (_, i) => ({ row: this.#rows[i]!, score: this.#scores[i]! }));
    return out.sort((a, b) => b.score - a.score || (this.#tieBefore(a.row, b.row) ? -1 : 1));
  }
}
