/**
 * Model weights as ONNX initializers: each engine Variable is read back once and stored under
 * its checkpoint name (raw little-endian float32).
 */
import { CaptuneError, type Engine, type Tensor } from '@captune/core';
import type { GraphBuilder } from '../graph/graph-builder.js';

export class WeightInitializers {
  private readonly added = new Map<Tensor, string>();
  private pending: Promise<void>[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly g: GraphBuilder,
  ) {}

  /**
   * The initializer name of `t` (added on first use), optionally viewed with other dims (same
   * element count). The data is read asynchronously: await `done()` before encoding.
   */
  use(t: Tensor & { readonly name?: string }, name = t.name, dims: readonly number[] = t.shape): string {
    const hit = this.added.get(t);
    if (hit) return hit;
    if (!name) throw new CaptuneError('ONNX export: a weight has no name');
    const tensor = { name, elemType: 'float' as const, dims: [...dims], data: new Uint8Array(0) };
    this.g.initializers.push(tensor);
    this.added.set(t, name);
    this.pending.push(
      this.engine.read(t).then((data) => {
        (tensor as { data: Uint8Array }).data = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      }),
    );
    return name;
  }

  async done(): Promise<void> {
    await Promise.all(this.pending);
    this.pending = [];
  }
}
