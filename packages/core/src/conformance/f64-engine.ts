/**
 * An Engine on the reference backend that can make float32 tensors holding exact float64
 * values, so finite differences of a loss can be taken in float64.
 */
import { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { ReferenceBackend } from '../reference/reference-backend.js';
import type { Shape } from '../tensor/shape.js';

export class F64Engine extends Engine {
  constructor(readonly reference: ReferenceBackend) {
    super(reference);
  }

  /** A float32 tensor with exactly these float64 values (the reference computes in float64). */
  fromF64(data: Float64Array, shape: Shape): Tensor {
    const out = { shape: [...shape], dtype: 'float32' as const };
    return this.wrap(this.reference.uploadF64(data, shape), out);
  }

  /** The unrounded value of a tensor. */
  readF64(t: Tensor): Float64Array {
    return this.reference.readF64(t);
  }
}
