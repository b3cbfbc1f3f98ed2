/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"), as PyTorch's
 * `torch.optim.AdamW` computes it: p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g;
 * v ← β2·v + (1−β2)·g²; p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε).
 * All state lives on the device as Variables; the update is ops only (no read-back).
 */
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';

export const AdamWConfigSchema = z
  .object({
    /** Learning rate (the schedule's peak). @default 1e-4 */
    lr: z.number().positive().default(1e-4),
    /** @default 0.9 */
    beta1: z.number().min(0).lt(1).default(0.9),
    /** @default 0.999 */
    beta2: z.number().min(0).lt(1).default(0.999),
    /** @default 1e-8 */
    eps: z.number().positive().default(1e-8),
    /** Decoupled weight decay. @default 0.01 */
    weightDecay: z.number().min(0).default(0.01),
  })
  .strict();
export type AdamWConfig = z.infer<typeof AdamWConfigSchema>;

export interface AdamWOptions extends Partial<AdamWConfig> {
  /** Parameters that get no weight decay (PyTorch users commonly exclude biases and norms). */
  noDecay?: (param: Variable) => boolean;
}

export class AdamW {
  readonly config: AdamWConfig;
  private readonly m: Variable[];
  private readonly v: Variable[];
  private t = 0;

  constructor(
    private readonly engine: Engine,
    readonly params: readonly Variable[],
    private readonly options: AdamWOptions = {},
  ) {
    const { noDecay: _noDecay, ...cfg } = options;
    this.config = AdamWConfigSchema.parse(cfg);
    this.m = params.map((p) => engine.variable(engine.zeros(p.shape), { trainable: false, name: `${p.name}.adam_m` }));
    this.v = params.map((p) => engine.variable(engine.zeros(p.shape), { trainable: false, name: `${p.name}.adam_v` }));
  }

  /** Steps taken so far. */
  get step(): number {
    return this.t;
  }

  /** Applies one update with `grads` aligned with `params`; `lr` overrides the configured rate (schedules). */
  update(grads: readonly Tensor[], lr = this.config.lr): void {
    if (grads.length !== this.params.length) {
      throw new Error(`AdamW.update: ${grads.length} gradients for ${this.params.length} parameters`);
    }
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.config;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const e = this.engine;
    this.params.forEach((p, i) => {
      const g = grads[i]!;
      const m = this.m[i]!;
      const v = this.v[i]!;
      const [newM, newV, newP] = e.tidy(() => {
        const decayed = weightDecay > 0 && !this.options.noDecay?.(p) ? e.mul(p, 1 - lr * weightDecay) : p;
        const m1 = e.add(e.mul(m, beta1), e.mul(g, 1 - beta1));
        const v1 = e.add(e.mul(v, beta2), e.mul(e.mul(g, g), 1 - beta2));
        const denom = e.add(e.sqrt(e.div(v1, bc2)), eps);
        const p1 = e.sub(decayed, e.mul(e.div(m1, denom), lr / bc1));
        return [m1, v1, p1];
      });
      e.assign(m, newM);
      e.assign(v, newV);
      e.assign(p, newP);
    });
  }

  /** State for a checkpoint: the moment variables (named after their parameter) and the step. */
  stateTensors(): { step: number; tensors: Variable[] } {
    return { step: this.t, tensors: [...this.m, ...this.v] };
  }

  /** Restores the step counter and moments (moments given in `stateTensors()` order). */
  restore(step: number, moments: readonly Tensor[]): void {
    if (moments.length !== this.m.length * 2) throw new Error(`AdamW.restore: expected ${this.m.length * 2} moment tensors, got ${moments.length}`);
    this.t = step;
    [...this.m, ...this.v].forEach((s, i) => this.engine.assign(s, moments[i]!));
  }

  dispose(): void {
    this.engine.dispose([...this.m, ...this.v]);
  }
}
