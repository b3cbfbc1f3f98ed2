/**
 * Data-movement kernels of the reference backend (NumPy semantics): transpose by `perm`,
 * slice by begin and the output's size, concat along an axis, constant pad, broadcastTo.
 * Reshape is a copy and needs no kernel here.
 */
import type { DType } from '../tensor/dtype.js';
import { sizeOf, stridesOf, type Shape } from '../tensor/shape.js';
import { allocRef, type RefData } from './ref-data.js';
import { broadcastStrides, forEachPosition } from './strides.js';

/** out[c] = x[c permuted back]: output axis j is input axis perm[j]. */
export function transposeKernel(
  x: RefData,
  xShape: Shape,
  perm: readonly number[],
  outShape: Shape,
  dtype: DType,
): RefData {
  const xs = stridesOf(xShape);
  const out = allocRef(dtype, x.length);
  forEachPosition(outShape, [perm.map((p) => xs[p]!)], (i, [o]) => {
    out[i] = x[o!]!;
  });
  return out;
}

/** Window of x starting at `begin` with the output's shape. */
export function sliceKernel(
  x: RefData,
  xShape: Shape,
  begin: readonly number[],
  outShape: Shape,
  dtype: DType,
): RefData {
  const xs = stridesOf(xShape);
  let base = 0;
  for (let d = 0; d < xShape.length; d++) base += begin[d]! * xs[d]!;
  const out = allocRef(dtype, sizeOf(outShape));
  forEachPosition(
    outShape,
    [xs],
    (i, [o]) => {
      out[i] = x[o!]!;
    },
    [base],
  );
  return out;
}

export function concatKernel(
  xs: readonly { data: RefData; shape: Shape }[],
  axis: number,
  outShape: Shape,
  dtype: DType,
): RefData {
  const out = allocRef(dtype, sizeOf(outShape));
  const os = stridesOf(outShape);
  let at = 0; // where along `axis` the current input starts
  for (const { data, shape } of xs) {
    forEachPosition(
      shape,
      [os],
      (i, [o]) => {
        out[o!] = data[i]!;
      },
      [at * os[axis]!],
    );
    at += shape[axis]!;
  }
  return out;
}

export function padKernel(
  x: RefData,
  xShape: Shape,
  paddings: readonly (readonly [number, number])[],
  value: number,
  outShape: Shape,
  dtype: DType,
): RefData {
  const out = allocRef(dtype, sizeOf(outShape)).fill(dtype === 'int32' ? Math.trunc(value) : value);
  const os = stridesOf(outShape);
  let base = 0;
  for (let d = 0; d < xShape.length; d++) base += paddings[d]![0] * os[d]!;
  forEachPosition(
    xShape,
    [os],
    (i, [o]) => {
      out[o!] = x[i]!;
    },
    [base],
  );
  return out;
}

export function broadcastToKernel(
  x: RefData,
  xShape: Shape,
  outShape: Shape,
  dtype: DType,
): RefData {
  const out = allocRef(dtype, sizeOf(outShape));
  forEachPosition(outShape, [broadcastStrides(xShape, outShape)], (i, [o]) => {
    out[i] = x[o!]!;
  });
  return out;
}
