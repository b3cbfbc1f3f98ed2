/**
 * A fitted LinearMap on a backend: the z-scoring folded into W and b (foldLinearMap), both
 * uploaded once as frozen Variables; `apply` is one `engine.linear` (matmul + bias).
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import { ShapeError } from '../tensor/shape.js';
import { foldLinearMap, type LinearMap } from './linear-map.js';

export class LinearMapModule {
  readonly weight: Variable; // [dIn, dOut]
  readonly bias: Variable | null; // [dOut]

  constructor(
    private readonly engine: Engine,
    readonly map: LinearMap,
  ) {
    const folded = foldLinearMap(map);
    this.weight = engine.variable(engine.tensor(folded.weight, [map.dIn, map.dOut]), { trainable: false, name: `${map.kind}.W` });
    this.bias = folded.bias ? engine.variable(engine.tensor(folded.bias, [map.dOut]), { trainable: false, name: `${map.kind}.bias` }) : null;
  }

  /** x [..., dIn] → [..., dOut]. */
  apply(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.map.dIn) {
      throw new ShapeError('LinearMapModule.apply', `input last dimension ${x.shape[x.rank - 1]} ≠ map input size ${this.map.dIn}`);
    }
    return this.engine.linear(x, this.weight, this.bias);
  }

  dispose(): void {
    this.engine.dispose([this.weight, ...(this.bias ? [this.bias] : [])]);
  }
}
