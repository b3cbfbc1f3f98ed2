/**
 * A tiny random GPT-2 checkpoint in the exact Hugging Face layout (`GPT2LMHeadModel`): the
 * config.json keys of the hub's `gpt2`, tensors named as transformers saves them (with the
 * `transformer.` prefix of `save_pretrained`, or none as in the hub's original `gpt2` upload),
 * Conv1D weights [in, out], optional `attn.bias` causal-mask buffers and `lm_head.weight`, and
 * optionally GPT-2 tokenizer files for a vocabulary that is a prefix of GPT-2's. Seeded.
 */
import { serializeSafetensors, type TensorToWrite, type WritableDtype } from '../../checkpoint/safetensors-serialize.js';
import { Rng } from '../../random/rng.js';
import { gpt2TokenizerFiles, randomTensor, type CheckpointFiles } from './checkpoint-files.js';

export interface TinyGpt2Options {
  /** @default 0 */
  readonly seed?: number;
  /** @default 300 (or merges.length + 257 when `merges` is given) */
  readonly vocabSize?: number;
  /** @default 32 */
  readonly nEmbd?: number;
  /** @default 2 */
  readonly nLayer?: number;
  /** @default 4 */
  readonly nHead?: number;
  /** @default 64 */
  readonly nPositions?: number;
  /** FFN width; null = 4 · nEmbd. @default null */
  readonly nInner?: number | null;
  /** @default "F32" */
  readonly dtype?: WritableDtype;
  /** "transformer." (save_pretrained) or "" (hub gpt2). @default "" */
  readonly prefix?: string;
  /** Write `h.{i}.attn.bias` causal-mask buffers as old checkpoints do. @default false */
  readonly maskBuffers?: boolean;
  /** Write `lm_head.weight` (a copy of wte) as GPT2LMHeadModel pickles do. @default false */
  readonly lmHead?: boolean;
  /** @default false */
  readonly scaleAttnByInverseLayerIdx?: boolean;
  /** @default "gelu_new" */
  readonly activation?: string;
  /** GPT-2 merges to write tokenizer files for (the first lines of vocab.bpe). */
  readonly merges?: readonly (readonly [string, string])[];
}

/** Builds the files of a tiny GPT-2 model folder. */
export function tinyGpt2Checkpoint(options: TinyGpt2Options = {}): CheckpointFiles {
  const rng = new Rng(options.seed ?? 0);
  const V = options.vocabSize ?? (options.merges ? options.merges.length + 257 : 300);
  if (options.merges && V !== options.merges.length + 257) {
    throw new Error(`tinyGpt2Checkpoint: vocabSize ${V} does not match ${options.merges.length} merges (+ 257)`);
  }
  const C = options.nEmbd ?? 32;
  const L = options.nLayer ?? 2;
  const H = options.nHead ?? 4;
  const P = options.nPositions ?? 64;
  const I = options.nInner ?? 4 * C;
  const dt = options.dtype ?? 'F32';
  const pre = options.prefix ?? '';
  const t: Record<string, TensorToWrite> = {};
  const put = (name: string, shape: number[], std: number, mean = 0) => {
    t[pre + name] = randomTensor(rng, shape, { std, mean }, dt);
  };
  put('wte.weight', [V, C], 0.3);
  put('wpe.weight', [P, C], 0.1);
  for (let i = 0; i < L; i++) {
    const h = `h.${i}.`;
    put(`${h}ln_1.weight`, [C], 0.1, 1);
    put(`${h}ln_1.bias`, [C], 0.05);
    put(`${h}attn.c_attn.weight`, [C, 3 * C], 0.2);
    put(`${h}attn.c_attn.bias`, [3 * C], 0.05);
    put(`${h}attn.c_proj.weight`, [C, C], 0.2);
    put(`${h}attn.c_proj.bias`, [C], 0.05);
    put(`${h}ln_2.weight`, [C], 0.1, 1);
    put(`${h}ln_2.bias`, [C], 0.05);
    put(`${h}mlp.c_fc.weight`, [C, I], 0.2);
    put(`${h}mlp.c_fc.bias`, [I], 0.05);
    put(`${h}mlp.c_proj.weight`, [I, C], 0.2);
    put(`${h}mlp.c_proj.bias`, [C], 0.05);
    if (options.maskBuffers) {
      const tril = new Float32Array(P * P);
      for (let r = 0; r < P; r++) for (let c = 0; c <= r; c++) tril[r * P + c] = 1;
      t[`${pre}${h}attn.bias`] = { dtype: 'F32', shape: [1, 1, P, P], data: tril };
    }
  }
  put('ln_f.weight', [C], 0.1, 1);
  put('ln_f.bias', [C], 0.05);
  if (options.lmHead) t['lm_head.weight'] = { ...t[`${pre}wte.weight`]!, data: t[`${pre}wte.weight`]!.data.slice() };
  const config = {
    activation_function: options.activation ?? 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: V - 1,
    embd_pdrop: 0.1,
    eos_token_id: V - 1,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: P,
    n_embd: C,
    n_head: H,
    n_inner: options.nInner ?? null,
    n_layer: L,
    n_positions: P,
    reorder_and_upcast_attn: false,
    resid_pdrop: 0.1,
    scale_attn_by_inverse_layer_idx: options.scaleAttnByInverseLayerIdx ?? false,
    scale_attn_weights: true,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    torch_dtype: dt === 'F16' ? 'float16' : dt === 'BF16' ? 'bfloat16' : 'float32',
    transformers_version: '4.44.2',
    use_cache: true,
    vocab_size: V,
  };
  return {
    'config.json': JSON.stringify(config, null, 2) + '\n',
    'model.safetensors': serializeSafetensors(t, { metadata: { format: 'pt' } }),
    ...(options.merges ? gpt2TokenizerFiles(options.merges) : {}),
  };
}
