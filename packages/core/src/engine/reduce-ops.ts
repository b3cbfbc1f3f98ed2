/**
 * Matmul and reductions (sum, max, mean, argmax, topk) with their gradients.
 */
import { broadcastShapes, fmt, normalizeAxes, normalizeAxis, ShapeError, sizeOf } from '../tensor/shape.js';
import { ShapeOps } from './shape-ops.js';
import type { Tensor } from './tensor.js';

export interface MatmulArgs {
  /** Use the transpose of a's last two axes. @default false */
  transposeA?: boolean;
  /** Use the transpose of b's last two axes. @default false */
  transposeB?: boolean;
}

export abstract class ReduceOps extends ShapeOps {
  /** [..., M, K] × [..., K, N] → [..., M, N]; batch axes broadcast. */
  matmul(a: Tensor, b: Tensor, args: MatmulArgs = {}): Tensor {
    const tA = args.transposeA ?? false;
    const tB = args.transposeB ?? false;
    if (a.rank < 2 || b.rank < 2) throw new ShapeError('matmul', `needs rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
    if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new ShapeError('matmul', `needs float32, got ${a.dtype} and ${b.dtype}`);
    const [m, k1] = tA ? [a.shape[a.rank - 1]!, a.shape[a.rank - 2]!] : [a.shape[a.rank - 2]!, a.shape[a.rank - 1]!];
    const [k2, n] = tB ? [b.shape[b.rank - 1]!, b.shape[b.rank - 2]!] : [b.shape[b.rank - 2]!, b.shape[b.rank - 1]!];
    const desc = `${fmt(a.shape)}${tA ? 'ᵀ' : ''} × ${fmt(b.shape)}${tB ? 'ᵀ' : ''}`;
    if (k1 !== k2) throw new ShapeError('matmul', `inner dimensions differ (${k1} vs ${k2}) in ${desc}`);
    let batch: number[];
    try {
      batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    } catch {
      throw new ShapeError('matmul', `batch dimensions do not broadcast in ${desc}`);
    }
    const out = { shape: [...batch, m, n], dtype: 'float32' as const };
    const options = { transposeA: tA, transposeB: tB };
    return this.run([a, b], out, () => this.backend.matmul(a, b, options, out), (dy) => {
      let da: Tensor | null = null;
      let db: Tensor | null = null;
      if (a.requiresGrad) {
        da = !tA
          ? this.matmul(dy, b, { transposeB: !tB })
          : tB
            ? this.matmul(b, dy, { transposeA: true, transposeB: true })
            : this.matmul(b, dy, { transposeB: true });
        da = this.reduceTo(da, a.shape);
      }
      if (b.requiresGrad) {
        db = !tB
          ? this.matmul(a, dy, { transposeA: !tA })
          : tA
            ? this.matmul(dy, a, { transposeA: true, transposeB: true })
            : this.matmul(dy, a, { transposeA: true });
        db = this.reduceTo(db, b.shape);
      }
      return [da, db];
    });
  }

  /** Sum over `axes` (default: all). */
  sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
    const ax = normalizeAxes('sum', axes, x.rank);
    const kept = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
    const out = { shape: x.shape.filter((_, i) => !ax.includes(i)), dtype: x.dtype };
    let y = ax.length === 0 ? x : this.run([x], out, () => this.backend.sum(x, ax, out), (dy) => [
      this.broadcastTo(this.reshape(dy, kept), x.shape),
    ]);
    if (keepDims) y = this.reshape(y, kept);
    return y;
  }

  /** Max over `axes` (default: all). Ties share the gradient, as in tfjs. */
  max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
    const ax = normalizeAxes('max', axes, x.rank);
    if (ax.some((a) => x.shape[a] === 0)) throw new ShapeError('max', `cannot take the max over an empty axis of ${fmt(x.shape)}`);
    const kept = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
    const out = { shape: x.shape.filter((_, i) => !ax.includes(i)), dtype: x.dtype };
    let y = ax.length === 0 ? x : this.run([x], out, () => this.backend.max(x, ax, out), (dy, yv) => {
      const mask = this.equal(x, this.reshape(yv, kept));
      return [this.mul(mask, this.reshape(dy, kept))];
    });
    if (keepDims) y = this.reshape(y, kept);
    return y;
  }

  mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
    const ax = normalizeAxes('mean', axes, x.rank);
    if (x.dtype !== 'float32') throw new ShapeError('mean', `needs a float32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
    const n = sizeOf(ax.map((a) => x.shape[a]!));
    return this.div(this.sum(x, ax, keepDims), n);
  }

  /** Index of the first maximum along `axis`, int32 (no gradient). */
  argmax(x: Tensor, axis = -1): Tensor {
    const ax = normalizeAxis('argmax', axis, x.rank);
    if (x.shape[ax] === 0) throw new ShapeError('argmax', `axis ${axis} of ${fmt(x.shape)} is empty`);
    const out = { shape: x.shape.filter((_, i) => i !== ax), dtype: 'int32' as const };
    return this.run([x], out, () => this.backend.argmax(x, ax, out));
  }

  /** The k largest values along the last axis, sorted descending (ties: lower index first). Gradient flows to the values. */
  topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
    if (x.rank < 1) throw new ShapeError('topk', 'needs rank >= 1');
    const last = x.shape[x.rank - 1]!;
    if (!Number.isInteger(k) || k < 1 || k > last) throw new ShapeError('topk', `k = ${k} must be in [1, ${last}] for ${fmt(x.shape)}`);
    const shape = [...x.shape.slice(0, -1), k];
    const vOut = { shape, dtype: x.dtype };
    const iOut = { shape, dtype: 'int32' as const };
    const [vh, ih] = this.backend.topk(x, k, vOut, iOut);
    const indices = this.wrap(ih, iOut);
    if (!(this.tape && x.requiresGrad)) return { values: this.wrap(vh, vOut), indices };
    // Recorded: values = x gathered at the indices, so the gradient scatters back.
    this.backend.dispose(vh);
    const rows = x.size / last;
    const flatIdx = this.tidy(() => {
      const offsets = this.tensor(Int32Array.from({ length: rows * k }, (_, j) => Math.floor(j / k) * last), shape, 'int32');
      return this.add(indices, offsets); // [..., k] into the flattened x
    });
    const values = this.reshape(this.gather(this.reshape(x, [-1]), flatIdx), shape);
    return { values, indices };
  }
}
