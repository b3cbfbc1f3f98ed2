/**
 * Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`: total = ‖[g…]‖₂,
 * each g scaled by min(1, maxNorm / (total + 1e-6)). On the device; no read-back.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

export interface ClippedGrads {
  readonly grads: Tensor[];
  /** The global norm before clipping (a scalar tensor). */
  readonly norm: Tensor;
}

export function clipGradNorm(engine: Engine, grads: readonly Tensor[], maxNorm: number): ClippedGrads {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  return engine.tidy(() => {
    let total: Tensor = engine.scalar(0);
    for (const g of grads) total = engine.add(total, engine.sum(engine.mul(g, g)));
    const norm = engine.sqrt(total);
    const scale = engine.minimum(engine.div(maxNorm, engine.add(norm, 1e-6)), 1);
    return { grads: grads.map((g) => engine.mul(g, scale)), norm };
  });
}
