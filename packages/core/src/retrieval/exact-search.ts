/**
 * Exact (flat) top-k cosine search over a CaptionDatastore on a backend: for each chunk of
 * the store and each batch of queries, scores = Q·Cᵀ (engine.matmul) and engine.topk; the
 * per-chunk top-k are merged on the host (mergeTopK), so device memory stays bounded by one
 * chunk plus one query batch whatever M is. Chunks are kept on the device between searches
 * up to `cacheBytes`; beyond that they are uploaded per search. Ties: lower index first.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { CaptionDatastore } from './caption-datastore.js';
import { mergeTopK } from './merge-top-k.js';

export interface ExactSearchOptions {
  /** Datastore rows per device chunk. @default 65536 */
  readonly chunkRows?: number;
  /** Queries per matmul. @default 256 */
  readonly queryBatch?: number;
  /** Device bytes of store chunks kept between searches. @default 1 GiB */
  readonly cacheBytes?: number;
}

export interface SearchResult {
  /** [Q, k] datastore row indices, best first. */
  readonly indices: Int32Array;
  /** [Q, k] cosine similarities (float32 from the backend). */
  readonly scores: Float32Array;
  readonly k: number;
}

export class ExactSearch {
  private readonly chunkRows: number;
  private readonly queryBatch: number;
  private readonly cacheBytes: number;
  private cache: { version: number; tensors: (Tensor | null)[] } = { version: -1, tensors: [] };

  constructor(
    private readonly engine: Engine,
    readonly store: CaptionDatastore,
    options: ExactSearchOptions = {},
  ) {
    this.chunkRows = options.chunkRows ?? 65536;
    this.queryBatch = options.queryBatch ?? 256;
    this.cacheBytes = options.cacheBytes ?? 2 ** 30;
    if (!(this.chunkRows >= 1 && this.queryBatch >= 1)) throw new CaptuneError('exact search: chunkRows and queryBatch must be ≥ 1');
  }

  /** Top-k rows for `queries` [Q, P] (L2-normalised here, in float64). */
  async search(queries: Float32Array, k: number): Promise<SearchResult> {
    const { dim, size } = this.store;
    const e = this.engine;
    if (queries.length % dim !== 0) throw new CaptuneError(`search: queries have ${queries.length} values, not a multiple of the datastore dimension ${dim}`);
    if (!Number.isInteger(k) || k < 1 || k > size) throw new CaptuneError(`search: k = ${k} must be an integer in [1, ${size}] (the datastore size)`);
    const q = queries.length / dim;
    const normed = normalizeRows(queries, q, dim);
    if (this.cache.version !== this.store.version) this.clearCache();
    const best = { scores: new Float32Array(q * k).fill(-Infinity), idx: new Int32Array(q * k).fill(-1), len: new Int32Array(q) };
    const tmpS = new Float32Array(k);
    const tmpI = new Int32Array(k);
    const chunks = Math.ceil(size / this.chunkRows);
    let cached = 0;
    for (let c = 0; c < chunks; c++) {
      const start = c * this.chunkRows;
      const rows = Math.min(this.chunkRows, size - start);
      let chunk = this.cache.tensors[c] ?? null;
      const fresh = !chunk;
      if (!chunk) chunk = e.keep(e.tensor(this.store.embeddings(start, start + rows).slice(), [rows, dim])); // [Mc, P]
      const kc = Math.min(k, rows);
      for (let qs = 0; qs < q; qs += this.queryBatch) {
        const qb = Math.min(this.queryBatch, q - qs);
        const { values, indices } = e.tidy(() => {
          const qt = e.tensor(normed.subarray(qs * dim, (qs + qb) * dim), [qb, dim]); // [Qb, P]
          return e.topk(e.matmul(qt, chunk!, { transposeB: true }), kc); // [Qb, kc]
        });
        const [vs, is] = await Promise.all([e.read(values), e.read(indices)]);
        e.dispose([values, indices]);
        for (let r = 0; r < qb; r++) {
          const o = (qs + r) * k;
          for (let t = 0; t < kc; t++) is[r * kc + t]! += start;
          const n = mergeTopK(best.scores.subarray(o, o + k), best.idx.subarray(o, o + k), best.len[qs + r]!, vs.subarray(r * kc, (r + 1) * kc), is.subarray(r * kc, (r + 1) * kc), kc, k, tmpS, tmpI);
          best.scores.set(tmpS.subarray(0, n), o);
          best.idx.set(tmpI.subarray(0, n), o);
          best.len[qs + r] = n;
        }
      }
      const bytes = rows * dim * 4;
      if (fresh && cached + bytes <= this.cacheBytes) this.cache.tensors[c] = chunk;
      else if (fresh) e.dispose(chunk);
      if (this.cache.tensors[c]) cached += bytes;
    }
    return { indices: best.idx, scores: best.scores, k };
  }

  private clearCache(): void {
    for (const t of this.cache.tensors) if (t) this.engine.dispose(t);
    this.cache = { version: this.store.version, tensors: [] };
  }

  /** Frees the device copies of the store. */
  dispose(): void {
    this.clearCache();
  }
}

function normalizeRows(x: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[r * dim + j]! ** 2;
    if (!(s > 0) || !Number.isFinite(s)) throw new CaptuneError(`search: query ${r} is all zeros or not finite`);
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[r * dim + j] = x[r * dim + j]! * inv;
  }
  return out;
}
