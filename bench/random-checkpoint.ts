/**
 * Random weights in the exact Hugging Face layout for benchmarks, generated tensor by tensor
 * when a loader reads them (a lazy `TensorSource`), so a 124M-parameter model never exists twice
 * in host memory. Names and shapes follow transformers' `CLIPModel` (vision tower) and the hub's
 * `gpt2` upload; configs are those of `openai/clip-vit-base-patch16` and `gpt2`.
 * Values: uniform with std 0.02 (GPT-2's initializer range), layer-norm weights 1, biases 0.
 */
import { Rng, type LoadedTensor, type TensorSource, type TensorSourceInfo } from '@captune/core';

type Spec = readonly number[];

export const CLIP_VIT_B16_CONFIG = {
  architectures: ['CLIPModel'],
  model_type: 'clip',
  projection_dim: 512,
  logit_scale_init_value: 2.6592,
  text_config: {
    model_type: 'clip_text_model',
    vocab_size: 49408,
    hidden_size: 512,
    intermediate_size: 2048,
    num_hidden_layers: 12,
    num_attention_heads: 8,
    max_position_embeddings: 77,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
    pad_token_id: 1,
    bos_token_id: 49406,
    eos_token_id: 49407,
    projection_dim: 512,
  },
  vision_config: {
    model_type: 'clip_vision_model',
    hidden_size: 768,
    intermediate_size: 3072,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    num_channels: 3,
    image_size: 224,
    patch_size: 16,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
    projection_dim: 512,
  },
} as const;

export const GPT2_124M_CONFIG = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  bos_token_id: 50256,
  eos_token_id: 50256,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_inner: null,
  n_layer: 12,
  n_positions: 1024,
  scale_attn_weights: true,
  vocab_size: 50257,
} as const;

/** Tensor names and shapes of CLIP's vision tower + `visual_projection` (CLIPModel state dict). */
export function clipVisionSpecs(config = CLIP_VIT_B16_CONFIG): Map<string, Spec> {
  const v = config.vision_config;
  const C = v.hidden_size;
  const out = new Map<string, Spec>();
  const pre = 'vision_model';
  out.set(`${pre}.embeddings.class_embedding`, [C]);
  out.set(`${pre}.embeddings.patch_embedding.weight`, [
    C,
    v.num_channels,
    v.patch_size,
    v.patch_size,
  ]);
  out.set(`${pre}.embeddings.position_embedding.weight`, [
    (v.image_size / v.patch_size) ** 2 + 1,
    C,
  ]);
  for (const ln of ['pre_layrnorm', 'post_layernorm']) {
    out.set(`${pre}.${ln}.weight`, [C]);
    out.set(`${pre}.${ln}.bias`, [C]);
  }
  for (let i = 0; i < v.num_hidden_layers; i++) {
    const p = `${pre}.encoder.layers.${i}`;
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
      out.set(`${p}.self_attn.${proj}.weight`, [C, C]);
      out.set(`${p}.self_attn.${proj}.bias`, [C]);
    }
    for (const ln of ['layer_norm1', 'layer_norm2']) {
      out.set(`${p}.${ln}.weight`, [C]);
      out.set(`${p}.${ln}.bias`, [C]);
    }
    out.set(`${p}.mlp.fc1.weight`, [v.intermediate_size, C]);
    out.set(`${p}.mlp.fc1.bias`, [v.intermediate_size]);
    out.set(`${p}.mlp.fc2.weight`, [C, v.intermediate_size]);
    out.set(`${p}.mlp.fc2.bias`, [C]);
  }
  out.set('visual_projection.weight', [config.projection_dim, C]);
  return out;
}

/** Tensor names and shapes of the hub's `gpt2` (no prefix; Conv1D weights [in, out]). */
export function gpt2Specs(config = GPT2_124M_CONFIG): Map<string, Spec> {
  const C = config.n_embd;
  const I = config.n_inner ?? 4 * C;
  const out = new Map<string, Spec>([
    ['wte.weight', [config.vocab_size, C]],
    ['wpe.weight', [config.n_positions, C]],
  ]);
  for (let i = 0; i < config.n_layer; i++) {
    const h = `h.${i}.`;
    for (const ln of ['ln_1', 'ln_2']) {
      out.set(`${h}${ln}.weight`, [C]);
      out.set(`${h}${ln}.bias`, [C]);
    }
    out.set(`${h}attn.c_attn.weight`, [C, 3 * C]);
    out.set(`${h}attn.c_attn.bias`, [3 * C]);
    out.set(`${h}attn.c_proj.weight`, [C, C]);
    out.set(`${h}attn.c_proj.bias`, [C]);
    out.set(`${h}mlp.c_fc.weight`, [C, I]);
    out.set(`${h}mlp.c_fc.bias`, [I]);
    out.set(`${h}mlp.c_proj.weight`, [I, C]);
    out.set(`${h}mlp.c_proj.bias`, [C]);
  }
  out.set('ln_f.weight', [C]);
  out.set('ln_f.bias', [C]);
  return out;
}

const numel = (s: Spec) => s.reduce((a, b) => a * b, 1);

/** Parameter count of a spec map. */
export function countParams(specs: ReadonlyMap<string, Spec>): number {
  let n = 0;
  for (const s of specs.values()) n += numel(s);
  return n;
}

/** A lazy source of random tensors with the given names and shapes. */
export class RandomCheckpoint implements TensorSource {
  readonly metadata = { format: 'pt' };
  private readonly rng: Rng;

  constructor(
    private readonly specs: ReadonlyMap<string, Spec>,
    seed: number,
    private readonly file = 'random.safetensors',
  ) {
    this.rng = new Rng(seed);
  }

  names(): string[] {
    return [...this.specs.keys()];
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }

  info(name: string): TensorSourceInfo {
    const shape = this.specs.get(name);
    if (!shape) throw new Error(`${this.file}: no tensor named "${name}"`);
    return { name, dtype: 'F32', shape, byteLength: 4 * numel(shape), file: this.file };
  }

  async read(name: string): Promise<LoadedTensor> {
    const { shape } = this.info(name);
    const n = numel(shape);
    const isNorm = /(ln_\d|ln_f|layer_?norm\d?|layrnorm|layernorm)\.weight$/.test(name);
    const isBias = name.endsWith('.bias');
    const a = 0.02 * Math.sqrt(3); // uniform(-a, a) has std 0.02
    const data = isNorm
      ? new Float32Array(n).fill(1)
      : isBias
        ? new Float32Array(n)
        : this.rng.uniformArray(n, -a, a);
    return { data, shape, dtype: 'float32', sourceDtype: 'F32' };
  }

  async close(): Promise<void> {}
}

/**
 * Bytes of float32 weights a GPT-2 forward pass reads from memory (`gpt2Specs`): every parameter
 * once, except the position table, of which it reads only its rows. (The token table is read
 * whole, as the tied LM head.)
 */
export function gpt2WeightBytes(specs: ReadonlyMap<string, Spec>): number {
  let n = 0;
  for (const [name, s] of specs) if (name !== 'wpe.weight') n += numel(s);
  return 4 * n;
}
