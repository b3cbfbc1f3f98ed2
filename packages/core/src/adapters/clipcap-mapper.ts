/**
 * ClipCap (Mokady et al., "ClipCap: CLIP Prefix for Image Captioning", 2021; rmokady/CLIP_prefix_caption):
 * a mapper from the CLIP image embedding to a prefix of `prefixLength` language-model
 * embeddings that the frozen LM decodes after.
 *
 * - `mlp`: Linear(P → E·L/2) → tanh → Linear(→ E·L), reshaped to [L, E] (ClipCap's `MLP`).
 * - `transformer`: Linear(P → E·Lc) reshaped to Lc tokens, concatenated with L learned prefix
 *   constants, through a pre-LN transformer (ClipCap's `TransformerMapper`: heads 8, MLP ratio 2,
 *   ReLU, q/kv without bias), keeping the last L outputs.
 */
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import { Rng } from '../random/rng.js';
import type { CaptionAdapter, VisualFeatures } from './caption-adapter.js';

export const ClipCapConfigSchema = z
  .object({
    /** @default "mlp" */
    mapper: z.enum(['mlp', 'transformer']).default('mlp'),
    /** Prefix tokens L given to the LM. @default 10 */
    prefixLength: z.number().int().positive().default(10),
    /** Transformer mapper: tokens Lc made from the CLIP embedding. @default 10 */
    clipLength: z.number().int().positive().default(10),
    /** Transformer mapper layers. @default 8 */
    numLayers: z.number().int().positive().default(8),
    /** Transformer mapper heads. @default 8 */
    heads: z.number().int().positive().default(8),
  })
  .strict();
export type ClipCapConfig = z.infer<typeof ClipCapConfigSchema>;

export interface ClipCapDims {
  /** Width P of the CLIP embedding. */
  readonly clipDim: number;
  /** Width E of the LM's token embeddings. */
  readonly embedSize: number;
}

export class ClipCapMapper implements CaptionAdapter {
  readonly method = 'clipcap';
  readonly config: ClipCapConfig;
  readonly params: Variable[] = [];
  private readonly p = new Map<string, Variable>();

  constructor(
    readonly engine: Engine,
    readonly dims: ClipCapDims,
    config: Partial<ClipCapConfig> = {},
    seed = 0,
  ) {
    this.config = ClipCapConfigSchema.parse(config);
    const { clipDim: P, embedSize: E } = dims;
    const { mapper, prefixLength: L, clipLength: Lc, numLayers, heads } = this.config;
    const rng = new Rng(seed);
    const e = engine;
    // nn.Linear's default init: U(−1/√fan_in, 1/√fan_in) for weight and bias.
    const linear = (name: string, fanIn: number, fanOut: number, bias = true) => {
      const bound = 1 / Math.sqrt(fanIn);
      this.add(`${name}.weight`, e.tensor(rng.uniformArray(fanIn * fanOut, -bound, bound), [fanIn, fanOut]));
      if (bias) this.add(`${name}.bias`, e.tensor(rng.uniformArray(fanOut, -bound, bound), [fanOut]));
    };
    if (mapper === 'mlp') {
      const hidden = Math.floor((E * L) / 2);
      linear('clipcap.mlp.0', P, hidden);
      linear('clipcap.mlp.2', hidden, E * L);
    } else {
      if (E % heads !== 0) throw new CaptuneError(`clipcap: embedding width ${E} must be divisible by heads ${heads}`);
      linear('clipcap.linear', P, Lc * E);
      this.add('clipcap.prefix_const', e.tensor(rng.normalArray(L * E), [L, E]));
      for (let i = 0; i < numLayers; i++) {
        const b = `clipcap.transformer.layers.${i}`;
        this.add(`${b}.norm1.weight`, e.ones([E]));
        this.add(`${b}.norm1.bias`, e.zeros([E]));
        linear(`${b}.attn.to_queries`, E, E, false);
        linear(`${b}.attn.to_keys_values`, E, 2 * E, false);
        linear(`${b}.attn.project`, E, E);
        this.add(`${b}.norm2.weight`, e.ones([E]));
        this.add(`${b}.norm2.bias`, e.zeros([E]));
        linear(`${b}.mlp.fc1`, E, 2 * E);
        linear(`${b}.mlp.fc2`, 2 * E, E);
      }
    }
  }

  private add(name: string, t: Tensor): void {
    const v = this.engine.variable(t, { name, trainable: true });
    this.p.set(name, v);
    this.params.push(v);
  }

  private w(name: string): Variable {
    return this.p.get(name)!;
  }

  /** [B, P] CLIP embeddings → [B, L, E] prefix embeddings. */
  prefix(embeds: Tensor): Tensor {
    const e = this.engine;
    const { clipDim: P, embedSize: E } = this.dims;
    if (embeds.rank !== 2 || embeds.shape[1] !== P) throw new CaptuneError(`clipcap: needs CLIP embeddings [B, ${P}], got [${embeds.shape.join(', ')}]`);
    const B = embeds.shape[0]!;
    const { prefixLength: L, clipLength: Lc, numLayers, heads } = this.config;
    if (this.config.mapper === 'mlp') {
      const h = e.tanh(e.linear(embeds, this.w('clipcap.mlp.0.weight'), this.w('clipcap.mlp.0.bias'))); // [B, E·L/2]
      return e.reshape(e.linear(h, this.w('clipcap.mlp.2.weight'), this.w('clipcap.mlp.2.bias')), [B, L, E]); // [B, L, E]
    }
    const x0 = e.reshape(e.linear(embeds, this.w('clipcap.linear.weight'), this.w('clipcap.linear.bias')), [B, Lc, E]); // [B, Lc, E]
    const consts = e.broadcastTo(e.reshape(this.w('clipcap.prefix_const'), [1, L, E]), [B, L, E]); // [B, L, E]
    let x = e.concat([x0, consts], 1); // [B, Lc + L, E]
    const T = Lc + L;
    const D = E / heads;
    for (let i = 0; i < numLayers; i++) {
      const b = `clipcap.transformer.layers.${i}`;
      const n1 = e.layerNorm(x, this.w(`${b}.norm1.weight`), this.w(`${b}.norm1.bias`), 1e-5); // [B, T, E]
      const split = (t: Tensor) => e.transpose(e.reshape(t, [B, T, heads, D]), [0, 2, 1, 3]); // [B, h, T, D]
      const q = split(e.linear(n1, this.w(`${b}.attn.to_queries.weight`)));
      const kv = e.linear(n1, this.w(`${b}.attn.to_keys_values.weight`)); // [B, T, 2E]
      const k = split(e.slice(kv, [0, 0, 0], [B, T, E]));
      const v = split(e.slice(kv, [0, 0, E], [B, T, E]));
      const a = e.reshape(e.transpose(e.attention(q, k, v, null, 1 / Math.sqrt(D)), [0, 2, 1, 3]), [B, T, E]); // [B, T, E]
      x = e.add(x, e.linear(a, this.w(`${b}.attn.project.weight`), this.w(`${b}.attn.project.bias`)));
      const n2 = e.layerNorm(x, this.w(`${b}.norm2.weight`), this.w(`${b}.norm2.bias`), 1e-5);
      const m = e.linear(e.relu(e.linear(n2, this.w(`${b}.mlp.fc1.weight`), this.w(`${b}.mlp.fc1.bias`))), this.w(`${b}.mlp.fc2.weight`), this.w(`${b}.mlp.fc2.bias`));
      x = e.add(x, m); // [B, T, E]
    }
    return e.slice(x, [0, Lc, 0], [B, L, E]); // [B, L, E]
  }

  condition(features: VisualFeatures): { prefix: Tensor; dispose(): void } {
    if (!features.embeds) throw new CaptuneError('clipcap: needs the CLIP image embeddings (features.embeds)');
    const e = this.engine;
    const prefix = this.prefix(features.embeds);
    return { prefix, dispose: () => (e.recording ? undefined : e.dispose(prefix)) };
  }

  dispose(): void {
    this.engine.dispose(this.params);
  }
}
