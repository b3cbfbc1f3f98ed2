/**
 * Reductions of the reference backend: sum and max over sorted axes, argmax (first maximum)
 * and topk along the last axis (descending, ties by lower index, as `torch.topk` with a
 * stable sort). Sums accumulate in float64. NaN propagates through max.
 */
import type { DType } from '../tensor/dtype.js';
import { sizeOf, stridesOf, type Shape } from '../tensor/shape.js';
import { allocRef, type RefData } from './ref-data.js';
import { forEachPosition } from './strides.js';

/** Strides into the reduced output for each input axis: 0 on reduced axes. */
function reducedStrides(inShape: Shape, axes: readonly number[]): number[] {
  const keptShape = inShape.filter((_, d) => !axes.includes(d));
  const kept = stridesOf(keptShape);
  let j = 0;
  return inShape.map((_, d) => (axes.includes(d) ? 0 : kept[j++]!));
}

export function sumKernel(
  x: RefData,
  xShape: Shape,
  axes: readonly number[],
  outShape: Shape,
  outDtype: DType,
): RefData {
  const acc = new Float64Array(sizeOf(outShape));
  forEachPosition(xShape, [reducedStrides(xShape, axes)], (i, [o]) => {
    acc[o!]! += x[i]!;
  });
  return outDtype === 'int32' ? Int32Array.from(acc) : acc;
}

export function maxKernel(
  x: RefData,
  xShape: Shape,
  axes: readonly number[],
  outShape: Shape,
  outDtype: DType,
): RefData {
  const acc = new Float64Array(sizeOf(outShape)).fill(-Infinity);
  forEachPosition(xShape, [reducedStrides(xShape, axes)], (i, [o]) => {
    const v = x[i]!;
    if (v > acc[o!]! || Number.isNaN(v)) acc[o!] = v;
  });
  return outDtype === 'int32' ? Int32Array.from(acc) : acc;
}

/**
 * Calls `fn(base, stride, outIndex)` for every lane along `axis`: the lane's elements are
 * at `base + t * stride` for t in [0, shape[axis]).
 */
export function forEachLane(
  shape: Shape,
  axis: number,
  fn: (base: number, stride: number, lane: number) => void,
): void {
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) fn(o * n * inner + r, inner, o * inner + r);
  }
}

export function argmaxKernel(x: RefData, xShape: Shape, axis: number, outShape: Shape): Int32Array {
  const out = new Int32Array(sizeOf(outShape));
  const n = xShape[axis]!;
  forEachLane(xShape, axis, (base, stride, lane) => {
    let best = 0;
    for (let t = 1; t < n; t++) {
      if (x[base + t * stride]! > x[base + best * stride]!) best = t;
    }
    out[lane] = best;
  });
  return out;
}

export function topkKernel(
  x: RefData,
  xShape: Shape,
  k: number,
  outDtype: DType,
): [RefData, Int32Array] {
  const n = xShape[xShape.length - 1] ?? 1;
  const lanes = n === 0 ? 0 : x.length / n;
  const values = allocRef(outDtype, lanes * k);
  const indices = new Int32Array(lanes * k);
  for (let lane = 0; lane < lanes; lane++) {
    const order = Array.from({ length: n }, (_, t) => t);
    const at = (t: number) => x[lane * n + t]!;
    // Descending by value, ties by lower index.
    order.sort((p, q) => (at(p) > at(q) ? -1 : at(p) < at(q) ? 1 : p - q));
    for (let j = 0; j < k; j++) {
      values[lane * k + j] = at(order[j]!);
      indices[lane * k + j] = order[j]!;
    }
  }
  return [values, indices];
}
