/**
 * The n-gram counts of pycocoevalcap's `precook(s, n=4)` (bleu_scorer.py, cider_scorer.py) with
 * words and n-grams interned to integers. Within each order the n-grams keep first-occurrence order,
 * which is the iteration order of precook's dict (the order CIDEr's sums run in).
 */
import { PairTable } from './pair-table.js';

export const MAX_N = 4;

/**
 * Counts of one caption, flat: the unique n-grams of order k (0-based) are
 * `ids[offsets[k] .. offsets[k+1])` with term frequencies `tf[…]` at the same positions.
 */
export interface NgramCounts {
  /** Number of words (`len(s.split())`). */
  readonly length: number;
  readonly offsets: readonly number[];
  readonly ids: Int32Array;
  readonly tf: Int32Array;
}

const POOL_SIZE = 1 << 20;

let scratchPrev = new Int32Array(256);
let scratchCur = new Int32Array(256);
let scratchIds = new Int32Array(1024);
let scratchTf = new Int32Array(1024);

/** Interns words and n-grams of orders 1..4 for one scoring run. */
export class NgramVocabulary {
  private readonly words = new Map<string, number>();
  private readonly tables: PairTable[];
  private pool = new Int32Array(0);
  private poolUsed = 0;

  /** @param expectedWords roughly how many words all captions hold (pre-sizes the n-gram tables). */
  constructor(expectedWords = 0) {
    this.tables = [0, 1, 2].map(() => new PairTable(expectedWords));
  }

  wordId(w: string): number {
    let id = this.words.get(w);
    if (id === undefined) {
      id = this.words.size;
      this.words.set(w, id);
    }
    return id;
  }

  /** Word ids of a list of words. */
  wordIds(ws: readonly string[]): Int32Array {
    const out = new Int32Array(ws.length);
    for (let i = 0; i < ws.length; i++) out[i] = this.wordId(ws[i]!);
    return out;
  }

  /** Dense id-space sizes per order (for sizing scratch arrays). */
  sizes(): number[] {
    return [this.words.size, ...this.tables.map((t) => t.size)];
  }

  count(words: Int32Array): NgramCounts {
    const n = words.length;
    if (scratchPrev.length < n) {
      scratchPrev = new Int32Array(n * 2);
      scratchCur = new Int32Array(n * 2);
    }
    if (scratchIds.length < 4 * n) {
      scratchIds = new Int32Array(8 * n);
      scratchTf = new Int32Array(8 * n);
    }
    const offsets = [0];
    let total = 0;
    let prev = scratchPrev;
    let cur = scratchCur;
    // Equal n-grams at two positions have equal (n−1)-gram prefixes there, so once an order has
    // no repeat, no higher order has one and its n-grams are appended as they come (tf 1).
    let repeats = true;
    for (let k = 0; k < MAX_N; k++) {
      const m = n > k ? n - k : 0;
      if (k === 0) for (let i = 0; i < m; i++) cur[i] = words[i]!;
      else {
        const table = this.tables[k - 1]!;
        for (let i = 0; i < m; i++) cur[i] = table.intern(prev[i]!, words[i + k]!);
      }
      if (repeats) {
        const end = appendUnique(cur, m, total);
        repeats = end - total < m;
        total = end;
      } else {
        scratchIds.set(cur.subarray(0, m), total);
        scratchTf.fill(1, total, total + m);
        total += m;
      }
      offsets.push(total);
      const t = prev;
      prev = cur;
      cur = t;
    }
    // Views into a shared pool: one backing store per ~1M values instead of two per caption.
    if (this.poolUsed + 2 * total > this.pool.length) {
      this.pool = new Int32Array(Math.max(POOL_SIZE, 2 * total));
      this.poolUsed = 0;
    }
    const at = this.poolUsed;
    const ids = this.pool.subarray(at, at + total);
    const tf = this.pool.subarray(at + total, at + 2 * total);
    ids.set(scratchIds.subarray(0, total));
    tf.set(scratchTf.subarray(0, total));
    this.poolUsed = at + 2 * total;
    return { length: n, offsets, ids, tf };
  }
}

/** Appends the unique values of xs[0..m) (first-occurrence order, with counts) at `start`. */
function appendUnique(xs: Int32Array, m: number, start: number): number {
  const u = scratchIds;
  const c = scratchTf;
  let k = start;
  if (m <= 48) {
    for (let i = 0; i < m; i++) {
      const x = xs[i]!;
      let j = start;
      while (j < k && u[j] !== x) j++;
      if (j === k) {
        u[k] = x;
        c[k] = 1;
        k++;
      } else c[j]!++;
    }
  } else {
    const at = new Map<number, number>();
    for (let i = 0; i < m; i++) {
      const x = xs[i]!;
      const j = at.get(x);
      if (j === undefined) {
        at.set(x, k);
        u[k] = x;
        c[k] = 1;
        k++;
      } else c[j]!++;
    }
  }
  return k;
}
