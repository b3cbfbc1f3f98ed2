/** Test helpers for the reference kernels: make TensorRefs from plain arrays and read them back. */
import type { TensorRef } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import type { ReferenceBackend } from './reference-backend.js';

export function refTensor(
  b: ReferenceBackend,
  values: readonly number[],
  shape: Shape,
  dtype: DType = 'float32',
): TensorRef {
  const data = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  return { handle: b.upload(data, { shape, dtype }), shape, dtype };
}

export function ref(
  handle: TensorRef['handle'],
  shape: Shape,
  dtype: DType = 'float32',
): TensorRef {
  return { handle, shape, dtype };
}

/** The float64 values of a tensor as a plain array. */
export function values(b: ReferenceBackend, x: TensorRef): number[] {
  return Array.from(b.readF64(x));
}
