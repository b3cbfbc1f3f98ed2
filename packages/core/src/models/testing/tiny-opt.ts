/**
 * A tiny random OPT checkpoint in the exact Hugging Face layout (`OPTForCausalLM`, the
 * facebook/opt-125m config.json keys): `model.decoder.` names (or `decoder.` as the facebook
 * uploads store them), nn.Linear weights [out, in], `embed_positions` with the 2 offset rows,
 * `project_in` / `project_out` when `wordEmbedProjDim` differs from `hiddenSize` and post-LN
 * when `doLayerNormBefore` is false (both as in opt-350m). Seeded.
 */
import { serializeSafetensors, type TensorToWrite, type WritableDtype } from '../../checkpoint/safetensors-serialize.js';
import { Rng } from '../../random/rng.js';
import { randomTensor, type CheckpointFiles } from './checkpoint-files.js';

export interface TinyOptOptions {
  /** @default 0 */
  readonly seed?: number;
  /** @default 300 */
  readonly vocabSize?: number;
  /** @default 32 */
  readonly hiddenSize?: number;
  /** @default hiddenSize */
  readonly wordEmbedProjDim?: number;
  /** @default 2 */
  readonly numLayers?: number;
  /** @default 4 */
  readonly numHeads?: number;
  /** @default 128 */
  readonly ffnDim?: number;
  /** @default 64 */
  readonly maxPositions?: number;
  /** @default true */
  readonly doLayerNormBefore?: boolean;
  /** @default "F32" */
  readonly dtype?: WritableDtype;
  /** "model.decoder." (OPTForCausalLM) or "decoder." (facebook uploads). @default "model.decoder." */
  readonly prefix?: string;
  /** Write `lm_head.weight` (a copy of embed_tokens). @default false */
  readonly lmHead?: boolean;
}

export function tinyOptCheckpoint(options: TinyOptOptions = {}): CheckpointFiles {
  const rng = new Rng(options.seed ?? 0);
  const V = options.vocabSize ?? 300;
  const C = options.hiddenSize ?? 32;
  const E = options.wordEmbedProjDim ?? C;
  const L = options.numLayers ?? 2;
  const H = options.numHeads ?? 4;
  const F = options.ffnDim ?? 4 * C;
  const P = options.maxPositions ?? 64;
  const pre = options.doLayerNormBefore ?? true;
  const dt = options.dtype ?? 'F32';
  const prefix = options.prefix ?? 'model.decoder.';
  const t: Record<string, TensorToWrite> = {};
  const put = (name: string, shape: number[], std: number, mean = 0) => {
    t[prefix + name] = randomTensor(rng, shape, { std, mean }, dt);
  };
  const linear = (name: string, out: number, inp: number) => {
    put(`${name}.weight`, [out, inp], 0.2);
    put(`${name}.bias`, [out], 0.05);
  };
  const norm = (name: string) => {
    put(`${name}.weight`, [C], 0.1, 1);
    put(`${name}.bias`, [C], 0.05);
  };
  put('embed_tokens.weight', [V, E], 0.3);
  put('embed_positions.weight', [P + 2, C], 0.1);
  if (E !== C) {
    put('project_in.weight', [C, E], 0.3);
    put('project_out.weight', [E, C], 0.3);
  }
  for (let i = 0; i < L; i++) {
    const l = `layers.${i}.`;
    for (const p of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) linear(`${l}self_attn.${p}`, C, C);
    norm(`${l}self_attn_layer_norm`);
    linear(`${l}fc1`, F, C);
    linear(`${l}fc2`, C, F);
    norm(`${l}final_layer_norm`);
  }
  if (pre) norm('final_layer_norm');
  const embed = t[`${prefix}embed_tokens.weight`]!;
  if (options.lmHead) t['lm_head.weight'] = { ...embed, data: embed.data.slice() };
  const config = {
    _name_or_path: 'captune/tiny-opt',
    activation_dropout: 0.0,
    activation_function: 'relu',
    architectures: ['OPTForCausalLM'],
    attention_dropout: 0.0,
    bos_token_id: 2,
    do_layer_norm_before: pre,
    dropout: 0.1,
    enable_bias: true,
    eos_token_id: 2,
    ffn_dim: F,
    hidden_size: C,
    init_std: 0.02,
    layer_norm_elementwise_affine: true,
    layerdrop: 0.0,
    max_position_embeddings: P,
    model_type: 'opt',
    num_attention_heads: H,
    num_hidden_layers: L,
    pad_token_id: 1,
    prefix: '</s>',
    torch_dtype: dt === 'F16' ? 'float16' : dt === 'BF16' ? 'bfloat16' : 'float32',
    transformers_version: '4.44.2',
    use_cache: true,
    vocab_size: V,
    word_embed_proj_dim: E,
  };
  return {
    'config.json': JSON.stringify(config, null, 2) + '\n',
    'model.safetensors': serializeSafetensors(t, { metadata: { format: 'pt' } }),
  };
}
