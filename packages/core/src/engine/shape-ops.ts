/**
 * Ops that move data without arithmetic: reshape, transpose, slice, concat, pad,
 * broadcastTo, and the axis-0 indexing ops gather / scatterAdd / oneHot.
 */
import { fmt, normalizeAxis, ShapeError, shapesEqual, sizeOf, type Shape } from '../tensor/shape.js';
import { ElementwiseOps } from './elementwise-ops.js';
import type { Tensor } from './tensor.js';

export abstract class ShapeOps extends ElementwiseOps {
  /** Reshape; one dimension may be -1 (inferred). */
  reshape(x: Tensor, shape: Shape): Tensor {
    const resolved = resolveReshape(x.shape, shape);
    if (shapesEqual(resolved, x.shape)) return x;
    const out = { shape: resolved, dtype: x.dtype };
    return this.run([x], out, () => this.backend.reshape(x, out), (dy) => [this.reshape(dy, x.shape)]);
  }

  /** Permutes axes; default reverses them. */
  transpose(x: Tensor, perm?: readonly number[]): Tensor {
    const p = perm ? perm.map((a) => normalizeAxis('transpose', a, x.rank)) : x.shape.map((_, i) => x.rank - 1 - i);
    if (p.length !== x.rank || new Set(p).size !== p.length) {
      throw new ShapeError('transpose', `perm [${perm?.join(', ')}] is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
    }
    if (p.every((a, i) => a === i)) return x;
    const out = { shape: p.map((a) => x.shape[a]!), dtype: x.dtype };
    const inverse = new Array<number>(p.length);
    p.forEach((a, i) => (inverse[a] = i));
    return this.run([x], out, () => this.backend.transpose(x, p, out), (dy) => [this.transpose(dy, inverse)]);
  }

  /** Slice from `begin` with `size` elements per axis (-1 = to the end). Shorter lists leave trailing axes whole. */
  slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
    if (begin.length > x.rank || (size && size.length > x.rank)) {
      throw new ShapeError('slice', `begin [${begin.join(', ')}] / size [${size?.join(', ') ?? ''}] longer than rank of ${fmt(x.shape)}`);
    }
    const b = x.shape.map((_, i) => begin[i] ?? 0);
    const s = x.shape.map((d, i) => {
      const v = size?.[i] ?? -1;
      return v === -1 ? d - b[i]! : v;
    });
    for (let i = 0; i < x.rank; i++) {
      if (!Number.isInteger(b[i]) || !Number.isInteger(s[i]) || b[i]! < 0 || s[i]! < 0 || b[i]! + s[i]! > x.shape[i]!) {
        throw new ShapeError('slice', `begin [${b.join(', ')}] size [${s.join(', ')}] is outside ${fmt(x.shape)}`);
      }
    }
    if (shapesEqual(s, x.shape)) return x;
    const out = { shape: s, dtype: x.dtype };
    return this.run(
      [x],
      out,
      () => this.backend.slice(x, b, s, out),
      (dy) => [this.unslice(dy, b, x.shape)],
      b,
    );
  }

  /** A slice's gradient dy (taken at `begin`) in the sliced value's `shape`: zero elsewhere. */
  protected unslice(dy: Tensor, begin: readonly number[], shape: readonly number[]): Tensor {
    return this.pad(dy, shape.map((d, i) => [begin[i]!, d - begin[i]! - dy.shape[i]!] as [number, number]));
  }

  concat(xs: readonly Tensor[], axis: number): Tensor {
    if (xs.length === 0) throw new ShapeError('concat', 'needs at least one tensor');
    const first = xs[0]!;
    const ax = normalizeAxis('concat', axis, first.rank);
    let total = 0;
    for (const x of xs) {
      const ok = x.rank === first.rank && x.dtype === first.dtype && x.shape.every((d, i) => i === ax || d === first.shape[i]);
      if (!ok) {
        throw new ShapeError('concat', `along axis ${axis}: shapes ${xs.map((t) => `${t.dtype} ${fmt(t.shape)}`).join(', ')} do not match`);
      }
      total += x.shape[ax]!;
    }
    if (xs.length === 1) return first;
    const shape = first.shape.map((d, i) => (i === ax ? total : d));
    const out = { shape, dtype: first.dtype };
    return this.run(xs, out, () => this.backend.concat(xs, ax, out), (dy) => {
      let offset = 0;
      return xs.map((x) => {
        const begin = shape.map((_, i) => (i === ax ? offset : 0));
        offset += x.shape[ax]!;
        return x.requiresGrad ? this.slice(dy, begin, x.shape) : null;
      });
    });
  }

  /** Constant padding; `paddings[i] = [before, after]`. */
  pad(x: Tensor, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
    if (paddings.length !== x.rank || paddings.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)) {
      throw new ShapeError('pad', `paddings ${JSON.stringify(paddings)} do not fit ${fmt(x.shape)} (one non-negative [before, after] per axis)`);
    }
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    const out = { shape: x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]), dtype: x.dtype };
    return this.run([x], out, () => this.backend.pad(x, paddings, value, out), (dy) => [
      this.slice(dy, paddings.map(([a]) => a), x.shape),
    ]);
  }

  broadcastTo(x: Tensor, shape: Shape): Tensor {
    if (shapesEqual(x.shape, shape)) return x;
    const lead = shape.length - x.rank;
    if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
      throw new ShapeError('broadcastTo', `cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
    }
    const out = { shape: [...shape], dtype: x.dtype };
    return this.run([x], out, () => this.backend.broadcastTo(x, out), (dy) => [this.reduceTo(dy, x.shape)]);
  }

  /** Rows of `x` along axis 0: x [R, ...rest], indices int32 [...I] → [...I, ...rest]. */
  gather(x: Tensor, indices: Tensor): Tensor {
    if (indices.dtype !== 'int32') throw new ShapeError('gather', `indices must be int32, got ${indices.dtype} ${fmt(indices.shape)}`);
    if (x.rank < 1) throw new ShapeError('gather', `cannot gather rows of a scalar`);
    const out = { shape: [...indices.shape, ...x.shape.slice(1)], dtype: x.dtype };
    return this.run([x, indices], out, () => this.backend.gather(x, indices, out), (dy) => [
      this.scatterAdd(dy, indices, x.shape[0]!),
      null,
    ]);
  }

  /** Zeros [numRows, ...rest] with rows of `updates` [...I, ...rest] added at `indices` [...I]. */
  scatterAdd(updates: Tensor, indices: Tensor, numRows: number): Tensor {
    if (indices.dtype !== 'int32') throw new ShapeError('scatterAdd', `indices must be int32, got ${indices.dtype}`);
    const lead = indices.rank;
    if (updates.rank < lead || indices.shape.some((d, i) => d !== updates.shape[i])) {
      throw new ShapeError('scatterAdd', `updates ${fmt(updates.shape)} must start with the indices' shape ${fmt(indices.shape)}`);
    }
    const out = { shape: [numRows, ...updates.shape.slice(lead)], dtype: updates.dtype };
    return this.run([updates, indices], out, () => this.backend.scatterAdd(updates, indices, out), (dy) => [
      this.gather(dy, indices),
      null,
    ]);
  }

  /** int32 [...I] → float32 [...I, depth] (out-of-range indices give a zero row). */
  oneHot(indices: Tensor, depth: number): Tensor {
    if (indices.dtype !== 'int32') throw new ShapeError('oneHot', `indices must be int32, got ${indices.dtype}`);
    if (!Number.isInteger(depth) || depth < 1) throw new ShapeError('oneHot', `depth must be a positive integer, got ${depth}`);
    const out = { shape: [...indices.shape, depth], dtype: 'float32' as const };
    return this.run([indices], out, () => this.backend.oneHot(indices, depth, out));
  }
}

function resolveReshape(from: Shape, to: Shape): number[] {
  const n = sizeOf(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1 || to.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ShapeError('reshape', `invalid target shape ${fmt(to)} for ${fmt(from)}`);
  }
  const known = to.reduce((acc, d) => (d === -1 ? acc : acc * d), 1);
  const out = to.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (sizeOf(out) !== n || out.some((d) => !Number.isInteger(d))) {
    throw new ShapeError('reshape', `cannot reshape ${fmt(from)} (${n} elements) to ${fmt(to)}`);
  }
  return out;
}
