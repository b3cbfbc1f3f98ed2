/**
 * Row indexing of the reference backend, along axis 0 (as `tf.gather(x, i, 0)`,
 * `tf.unsortedSegmentSum`, `tf.oneHot`): gather, its inverse scatterAdd, and oneHot.
 * Indices live on the device, so an out-of-range gather or scatter index can only be caught
 * here: the reference throws, naming the op, the index, and where it is.
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { DType } from '../tensor/dtype.js';
import { sizeOf, type Shape } from '../tensor/shape.js';
import { allocRef, type RefData } from './ref-data.js';
import { unravel } from './strides.js';

function checkIndex(
  op: string,
  index: number,
  at: number,
  indicesShape: Shape,
  rows: number,
): void {
  if (index < 0 || index >= rows) {
    throw new CaptuneError(
      `${op}: index ${index} at position [${unravel(at, indicesShape).join(', ')}] of the indices is out of range for ${rows} rows`,
    );
  }
}

/** x [R, ...rest], indices [...I] → [...I, ...rest]. */
export function gatherKernel(
  x: RefData,
  xShape: Shape,
  indices: Int32Array,
  indicesShape: Shape,
  dtype: DType,
): RefData {
  const rows = xShape[0]!;
  const row = sizeOf(xShape.slice(1));
  const out = allocRef(dtype, indices.length * row);
  for (let j = 0; j < indices.length; j++) {
    const r = indices[j]!;
    checkIndex('gather', r, j, indicesShape, rows);
    for (let c = 0; c < row; c++) out[j * row + c] = x[r * row + c]!;
  }
  return out;
}

/** updates [...I, ...rest], indices [...I] → zeros [R, ...rest] with each update row added at its index. */
export function scatterAddKernel(
  updates: RefData,
  indices: Int32Array,
  indicesShape: Shape,
  outShape: Shape,
  dtype: DType,
): RefData {
  const rows = outShape[0]!;
  const row = sizeOf(outShape.slice(1));
  const acc = new Float64Array(sizeOf(outShape));
  for (let j = 0; j < indices.length; j++) {
    const r = indices[j]!;
    checkIndex('scatterAdd', r, j, indicesShape, rows);
    for (let c = 0; c < row; c++) acc[r * row + c]! += updates[j * row + c]!;
  }
  return dtype === 'int32' ? Int32Array.from(acc) : acc;
}

/** indices [...I] → float32 [...I, depth]; an out-of-range index gives a zero row. */
export function oneHotKernel(indices: Int32Array, depth: number): Float64Array {
  const out = new Float64Array(indices.length * depth);
  for (let j = 0; j < indices.length; j++) {
    const r = indices[j]!;
    if (r >= 0 && r < depth) out[j * depth + r] = 1;
  }
  return out;
}
