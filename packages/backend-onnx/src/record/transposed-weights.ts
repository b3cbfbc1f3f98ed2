/**
 * Row-major transposed copies of large frozen weights multiplied as `x·wᵀ` by a single row (the
 * tied LM head of a greedy decoding step: hidden [1, E] · wte [V, E]ᵀ). ORT's CPU Gemm with
 * transB=1 and M = 1 reads w [V, E] slower than MatMul reads the same bytes laid out [E, V]
 * (MLAS's M = 1 path streams B's rows; measured on GPT-2 124M's head, 50257 × 768: ~12 ms vs
 * ~9 ms per step on a 2-core machine). The copy is made once on the host, kept beside its source
 * and freed with it; it costs the weight's bytes again, so only weights of at least
 * `minElements` qualify. Several rows (beams, batches) keep the pre-packed constant path
 * (constant-policy.ts), where the layout does not matter.
 */
import { GraphValue } from './graph-value.js';

export interface TransposedWeightsOptions {
  /** Make transposed copies at all. @default true */
  readonly enabled?: boolean;
  /** Smallest weight copied, in elements (the copy doubles its memory). @default 1048576 */
  readonly minElements?: number;
}

/** Cached transposed copies, keyed by their source value. */
export class TransposedWeights {
  readonly enabled: boolean;
  readonly minElements: number;
  private readonly copies = new Map<GraphValue, GraphValue>();

  constructor(options: TransposedWeightsOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.minElements = options.minElements ?? 2 ** 20;
  }

  /** Whether `a·wᵀ` (a [M, K], w [N, K]) should read a transposed copy of `w`. */
  applies(a: GraphValue, w: GraphValue): boolean {
    if (!this.enabled || !w.frozen || w.disposed || !w.tensor || w.dtype !== 'float32')
      return false;
    if (a.shape.length !== 2 || a.shape[0] !== 1 || w.shape.length !== 2) return false;
    return w.shape[0]! * w.shape[1]! >= this.minElements;
  }

  /** The materialised, frozen [K, N] copy of w [N, K] (made on first use). */
  of(
    w: GraphValue,
    makeTensor: (data: Float32Array, shape: number[]) => GraphValue['tensor'],
  ): GraphValue {
    let t = this.copies.get(w);
    if (!t) {
      const [n, k] = w.shape as [number, number];
      t = new GraphValue([k, n], 'float32');
      t.tensor = makeTensor(transpose2d(w.tensor!.data as Float32Array, n, k), [k, n]);
      t.frozen = true;
      this.copies.set(w, t);
    }
    return t;
  }

  /** `w` was disposed: its copy is disposed too (returned, to be released when no record reads it). */
  forget(w: GraphValue): GraphValue | null {
    const t = this.copies.get(w);
    if (!t) return null;
    this.copies.delete(w);
    t.disposed = true;
    return t;
  }

  /** Bytes held by the copies. */
  get bytes(): number {
    let b = 0;
    for (const t of this.copies.values()) b += 4 * t.shape[0]! * t.shape[1]!;
    return b;
  }
}

/** x [n, k] row-major → [k, n] row-major, in cache-sized blocks. */
export function transpose2d(x: Float32Array, n: number, k: number): Float32Array {
  const out = new Float32Array(n * k);
  const B = 64;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j0 = 0; j0 < k; j0 += B) {
      const j1 = Math.min(k, j0 + B);
      for (let i = i0; i < i1; i++) {
        const row = i * k;
        for (let j = j0; j < j1; j++) out[j * n + i] = x[row + j]!;
      }
    }
  }
  return out;
}
