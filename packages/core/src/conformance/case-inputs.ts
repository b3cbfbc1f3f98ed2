/**
 * Host data of a case: its inputs (seeded by the case id, float32-representable) and the
 * fixed random weights R of the gradient check's loss, sum(op(inputs) ⊙ R).
 */
import type { DType } from '../tensor/dtype.js';
import { fmt, sizeOf, type Shape } from '../tensor/shape.js';
import { normal, type ConformanceCase } from './conformance-case.js';
import { Prng, seedOf } from './prng.js';

export interface CaseInput {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Row-major values, exactly representable in the dtype. */
  readonly data: readonly number[];
  /** Whether this input's gradient is checked. */
  readonly grad: boolean;
}

export function caseInputs(c: ConformanceCase): CaseInput[] {
  const rng = new Prng(seedOf(c.id));
  return c.inputs.map((spec, j) => {
    const dtype = spec.dtype ?? 'float32';
    const n = sizeOf(spec.shape);
    let data: number[];
    if (spec.values) {
      if (spec.values.length !== n) {
        throw new Error(
          `conformance case ${c.id}: input ${j} has ${spec.values.length} values for shape ${fmt(spec.shape)}`,
        );
      }
      data = [...spec.values];
    } else {
      const gen = spec.gen ?? normal();
      data = Array.from({ length: n }, () => gen(rng));
    }
    data = data.map(dtype === 'int32' ? Math.trunc : Math.fround);
    const grad = (c.grad ?? false) && dtype === 'float32' && spec.grad !== false;
    return { shape: spec.shape, dtype, data, grad };
  });
}

/** The loss weights R for an output of `shape` (same for every backend). */
export function lossWeights(c: ConformanceCase, shape: Shape): number[] {
  const rng = new Prng(seedOf(`${c.id}#R`));
  return Array.from({ length: sizeOf(shape) }, () => rng.normal());
}
