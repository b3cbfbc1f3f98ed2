/**
 * Storage of the reference backend: float32 tensors are held in float64 (so the reference
 * is exact to double precision and finite differences work), int32 tensors in Int32Array.
 */
import type { DType } from '../tensor/dtype.js';

export type RefData = Float64Array | Int32Array;

export function allocRef(dtype: DType, size: number): RefData {
  return dtype === 'int32' ? new Int32Array(size) : new Float64Array(size);
}
