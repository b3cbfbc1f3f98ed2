/**
 * The shapes world's tiny GPT-2: a Hugging Face `GPT2LMHeadModel` config with the real GPT-2
 * vocabulary (50,257 tokens; BOS = EOS = 50256) and a narrow, shallow body, and its random
 * initialisation as transformers' `GPT2PreTrainedModel._init_weights` does it (normal 0.02,
 * `c_proj` weights scaled by 1/√(2·n_layer), LayerNorm 1/0, biases 0).
 */
import type { TensorToWrite } from '../checkpoint/safetensors-serialize.js';
import { Rng } from '../random/rng.js';

export interface ShapesGpt2Dims {
  /** @default 50257 */
  readonly vocabSize?: number;
  /** @default 48 */
  readonly nEmbd?: number;
  /** @default 3 */
  readonly nLayer?: number;
  /** @default 4 */
  readonly nHead?: number;
  /** @default 64 */
  readonly nPositions?: number;
}

export function shapesGpt2Config(d: ShapesGpt2Dims = {}) {
  const v = d.vocabSize ?? 50257;
  const p = d.nPositions ?? 64;
  return {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: v - 1,
    embd_pdrop: 0.1,
    eos_token_id: v - 1,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: p,
    n_embd: d.nEmbd ?? 48,
    n_head: d.nHead ?? 4,
    n_inner: null,
    n_layer: d.nLayer ?? 3,
    n_positions: p,
    reorder_and_upcast_attn: false,
    resid_pdrop: 0.1,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    torch_dtype: 'float32',
    transformers_version: '4.44.2',
    use_cache: true,
    vocab_size: v,
  };
}
export type ShapesGpt2Config = ReturnType<typeof shapesGpt2Config>;

/**
 * Random initial tensors in the hub `gpt2` layout (no `transformer.` prefix), F32. `wteStd`
 * (default 0.02, transformers' `initializer_range`) sets the token-embedding init: the shapes
 * GPT-2 uses 0.1, because words the grammar treats alike (the colours, the kinds) get the same
 * gradients and keep only their initial differences, which the tied LM head needs for an
 * image-conditioned adapter to be able to pick one colour over another.
 */
export function initGpt2Tensors(cfg: ShapesGpt2Config, seed: number, options: { wteStd?: number } = {}): Record<string, TensorToWrite> {
  const rng = new Rng(seed);
  const out: Record<string, TensorToWrite> = {};
  const C = cfg.n_embd;
  const I = 4 * C;
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const normal = (name: string, shape: number[], std: number) => (out[name] = { dtype: 'F32', shape, data: rng.normalArray(size(shape), std) });
  const constant = (name: string, shape: number[], v: number) => (out[name] = { dtype: 'F32', shape, data: new Float32Array(size(shape)).fill(v) });
  const projStd = 0.02 / Math.sqrt(2 * cfg.n_layer);
  normal('wte.weight', [cfg.vocab_size, C], options.wteStd ?? 0.02);
  normal('wpe.weight', [cfg.n_positions, C], 0.01);
  for (let i = 0; i < cfg.n_layer; i++) {
    const h = `h.${i}.`;
    constant(`${h}ln_1.weight`, [C], 1);
    constant(`${h}ln_1.bias`, [C], 0);
    normal(`${h}attn.c_attn.weight`, [C, 3 * C], 0.02);
    constant(`${h}attn.c_attn.bias`, [3 * C], 0);
    normal(`${h}attn.c_proj.weight`, [C, C], projStd);
    constant(`${h}attn.c_proj.bias`, [C], 0);
    constant(`${h}ln_2.weight`, [C], 1);
    constant(`${h}ln_2.bias`, [C], 0);
    normal(`${h}mlp.c_fc.weight`, [C, I], 0.02);
    constant(`${h}mlp.c_fc.bias`, [I], 0);
    normal(`${h}mlp.c_proj.weight`, [I, C], projStd);
    constant(`${h}mlp.c_proj.bias`, [C], 0);
  }
  constant('ln_f.weight', [C], 1);
  constant('ln_f.bias', [C], 0);
  return out;
}
