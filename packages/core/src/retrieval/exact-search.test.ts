import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { Rng } from '../random/rng.js';
import { ReferenceBackend } from '../reference/index.js';
import { CaptionDatastore } from './caption-datastore.js';
import { ExactSearch } from './exact-search.js';

/** Brute force on the host in float64: cosine of every row, sorted by (score desc, index asc). */
function bruteForce(store: CaptionDatastore, queries: Float32Array, k: number): { idx: number[][]; scores: number[][] } {
  const P = store.dim;
  const all = store.embeddings();
  const idx: number[][] = [];
  const scores: number[][] = [];
  for (let q = 0; q < queries.length / P; q++) {
    let n = 0;
    for (let j = 0; j < P; j++) n += queries[q * P + j]! ** 2;
    const qn = Float32Array.from(queries.subarray(q * P, (q + 1) * P), (v) => v / Math.sqrt(n));
    const s = Array.from({ length: store.size }, (_, i) => {
      let d = 0;
      for (let j = 0; j < P; j++) d += qn[j]! * all[i * P + j]!;
      return { i, d };
    }).sort((a, b) => b.d - a.d || a.i - b.i);
    idx.push(s.slice(0, k).map((x) => x.i));
    scores.push(s.slice(0, k).map((x) => x.d));
  }
  return { idx, scores };
}

function makeStore(seed: number, m: number, p: number): CaptionDatastore {
  const rng = new Rng(seed);
  const store = new CaptionDatastore(p, { clipModel: 'test/clip' });
  const e = rng.normalArray(m * p);
  // Exact ties: rows 5, 17 and 40 duplicate row 3.
  for (const dup of [5, 17, 40]) e.copyWithin(dup * p, 3 * p, 4 * p);
  store.add(e, Array.from({ length: m }, (_, i) => `caption ${i}`));
  return store;
}

describe('ExactSearch', () => {
  it('equals a brute-force host search, ties by lower index, chunked = unchunked', async () => {
    const store = makeStore(1, 53, 8);
    const queries = new Rng(2).normalArray(7 * 8);
    queries.set(store.embeddings(3, 4).map((v) => 3 * v), 0); // query 0 hits the tied rows exactly
    const e = new Engine(new ReferenceBackend());
    const want = bruteForce(store, queries, 6);
    for (const opts of [{}, { chunkRows: 5, queryBatch: 3 }, { chunkRows: 4, queryBatch: 1, cacheBytes: 0 }]) {
      const search = new ExactSearch(e, store, opts);
      const got = await search.search(queries, 6);
      for (let q = 0; q < 7; q++) {
        expect(Array.from(got.indices.subarray(q * 6, q * 6 + 6))).toEqual(want.idx[q]);
        for (let t = 0; t < 6; t++) expect(got.scores[q * 6 + t]).toBeCloseTo(want.scores[q]![t]!, 6);
      }
      search.dispose();
    }
    expect(Array.from((await new ExactSearch(e, store).search(queries.subarray(0, 8), 4)).indices)).toEqual([3, 5, 17, 40]);
  });

  it('sees rows added after the first search, and flags synthetic rows', async () => {
    const store = makeStore(3, 10, 4);
    const e = new Engine(new ReferenceBackend());
    const search = new ExactSearch(e, store, { chunkRows: 4 });
    const q = Float32Array.from([1, 0, 0, 0]);
    await search.search(q, 2);
    store.add(Float32Array.from([5, 0, 0, 0]), ['a synthetic caption'], { synthetic: true });
    const r = await search.search(q, 1);
    expect(r.indices[0]).toBe(10);
    expect(r.scores[0]).toBeCloseTo(1, 6);
    expect(store.isSynthetic(10)).toBe(true);
    expect(store.syntheticCount).toBe(1);
    search.dispose();
  });

  it('rejects bad input clearly', async () => {
    const store = makeStore(4, 5, 4);
    const search = new ExactSearch(new Engine(new ReferenceBackend()), store);
    await expect(search.search(new Float32Array(4), 1)).rejects.toThrow(/query 0 is all zeros/);
    await expect(search.search(new Float32Array(5), 1)).rejects.toThrow(/not a multiple of the datastore dimension 4/);
    await expect(search.search(Float32Array.from([1, 0, 0, 0]), 6)).rejects.toThrow(/k = 6 must be an integer in \[1, 5\]/);
    expect(() => store.add(new Float32Array(4), ['x'])).toThrow(/caption 0 \("x"\) is all zeros/);
    expect(() => store.add(new Float32Array(3), ['x'])).toThrow(/3 embedding values for 1 captions of dimension 4/);
  });
});
