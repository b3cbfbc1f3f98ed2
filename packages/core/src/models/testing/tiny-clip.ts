/**
 * A tiny random CLIP checkpoint in the exact Hugging Face `CLIPModel` folder layout
 * (`config.json`, `model.safetensors`, `preprocessor_config.json`, `vocab.json`, `merges.txt`),
 * generated from a seed. The committed copy in ./tiny-clip/ is this generator's output
 * (`packages/core/scripts/write-tiny-clip.ts`; a test checks they agree), and
 * `packages/core/scripts/numpy_clip_reference.py` computes its goldens.
 *
 * The BPE vocabulary is a tiny CLIP BPE in the CLIPTokenizer layout: the 256 byte symbols,
 * the same with `</w>`, merges that spell a few caption words, then `<|startoftext|>`,
 * `<|endoftext|>`. The vision tower uses quick_gelu and the text tower erf gelu, so both
 * activation paths are exercised; `*.position_ids` int64 buffers are included as older
 * transformers versions saved them.
 */
import { OPENAI_CLIP_MEAN, OPENAI_CLIP_STD } from '../../checkpoint/clip-image-processor-config.js';
import {
  serializeSafetensors,
  type TensorToWrite,
} from '../../checkpoint/safetensors-serialize.js';
import { Rng } from '../../random/rng.js';
import { Bpe } from '../../tokenizers/bpe.js';
import { bytesToUnicodeValuesInDictOrder } from '../../tokenizers/bytes-to-unicode.js';
import { CLIP_EOT_TOKEN, CLIP_SOT_TOKEN } from '../../tokenizers/clip-tokenizer.js';

/** Words the tiny vocabulary spells as single tokens. */
export const TINY_CLIP_WORDS = [
  'a',
  'photo',
  'of',
  'the',
  'red',
  'green',
  'blue',
  'circle',
  'square',
  'triangle',
  'small',
  'big',
];

/**
 * Merges under which each word of `TINY_CLIP_WORDS` is one token: for each word, while BPE
 * (with the merges so far) leaves it in pieces, append the merge of its first two pieces.
 * A new merge ranks below all earlier ones, so earlier words keep their single token.
 */
export function tinyClipMerges(): [string, string][] {
  const merges: [string, string][] = [];
  for (const word of TINY_CLIP_WORDS) {
    for (;;) {
      const pieces = new Bpe(merges, { endOfWordSuffix: '</w>' }).encode(word);
      if (pieces.length === 1) break;
      merges.push([pieces[0]!, pieces[1]!]);
    }
  }
  return merges;
}

/** Token → id in CLIPTokenizer order. */
export function tinyClipVocab(): Record<string, number> {
  const bytes = bytesToUnicodeValuesInDictOrder();
  const tokens = [
    ...bytes,
    ...bytes.map((b) => `${b}</w>`),
    ...tinyClipMerges().map(([a, b]) => a + b),
    CLIP_SOT_TOKEN,
    CLIP_EOT_TOKEN,
  ];
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  return vocab;
}

export const TINY_CLIP_VOCAB_SIZE = 512 + tinyClipMerges().length + 2;

export const TINY_CLIP_CONFIG = {
  architectures: ['CLIPModel'],
  model_type: 'clip',
  projection_dim: 16,
  logit_scale_init_value: 2.6592,
  torch_dtype: 'float32',
  text_config: {
    model_type: 'clip_text_model',
    vocab_size: TINY_CLIP_VOCAB_SIZE,
    hidden_size: 24,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: 3,
    max_position_embeddings: 77,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-5,
    pad_token_id: 1,
    bos_token_id: TINY_CLIP_VOCAB_SIZE - 2,
    eos_token_id: TINY_CLIP_VOCAB_SIZE - 1,
    projection_dim: 16,
  },
  vision_config: {
    model_type: 'clip_vision_model',
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_channels: 3,
    image_size: 32,
    patch_size: 8,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
    projection_dim: 16,
  },
} as const;

export const TINY_CLIP_PREPROCESSOR_CONFIG = {
  image_processor_type: 'CLIPImageProcessor',
  do_resize: true,
  size: { shortest_edge: 32 },
  resample: 3,
  do_center_crop: true,
  crop_size: { height: 32, width: 32 },
  do_rescale: true,
  rescale_factor: 0.00392156862745098,
  do_normalize: true,
  image_mean: [...OPENAI_CLIP_MEAN],
  image_std: [...OPENAI_CLIP_STD],
  do_convert_rgb: true,
};

function tinyClipTensors(seed: number): Record<string, TensorToWrite> {
  const rng = new Rng(seed);
  const out: Record<string, TensorToWrite> = {};
  const f32 = (name: string, shape: number[], std: number, mean = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    out[name] = { dtype: 'F32', shape, data: rng.normalArray(n, std, mean) };
  };
  const ids = (name: string, n: number) =>
    (out[name] = {
      dtype: 'I64',
      shape: [1, n],
      data: Int32Array.from({ length: n }, (_, i) => i),
    });
  const encoder = (prefix: string, c: number, inter: number, layers: number) => {
    for (let i = 0; i < layers; i++) {
      const p = `${prefix}.encoder.layers.${i}`;
      for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
        f32(`${p}.self_attn.${proj}.weight`, [c, c], 0.2);
        f32(`${p}.self_attn.${proj}.bias`, [c], 0.1);
      }
      for (const ln of ['layer_norm1', 'layer_norm2']) {
        f32(`${p}.${ln}.weight`, [c], 0.1, 1);
        f32(`${p}.${ln}.bias`, [c], 0.1);
      }
      f32(`${p}.mlp.fc1.weight`, [inter, c], 0.2);
      f32(`${p}.mlp.fc1.bias`, [inter], 0.1);
      f32(`${p}.mlp.fc2.weight`, [c, inter], 0.15);
      f32(`${p}.mlp.fc2.bias`, [c], 0.1);
    }
  };
  const v = TINY_CLIP_CONFIG.vision_config;
  const t = TINY_CLIP_CONFIG.text_config;
  const positions = (v.image_size / v.patch_size) ** 2 + 1;
  f32('vision_model.embeddings.class_embedding', [v.hidden_size], 1);
  f32(
    'vision_model.embeddings.patch_embedding.weight',
    [v.hidden_size, v.num_channels, v.patch_size, v.patch_size],
    0.1,
  );
  f32('vision_model.embeddings.position_embedding.weight', [positions, v.hidden_size], 0.5);
  ids('vision_model.embeddings.position_ids', positions);
  f32('vision_model.pre_layrnorm.weight', [v.hidden_size], 0.1, 1);
  f32('vision_model.pre_layrnorm.bias', [v.hidden_size], 0.1);
  encoder('vision_model', v.hidden_size, v.intermediate_size, v.num_hidden_layers);
  f32('vision_model.post_layernorm.weight', [v.hidden_size], 0.1, 1);
  f32('vision_model.post_layernorm.bias', [v.hidden_size], 0.1);
  f32('visual_projection.weight', [TINY_CLIP_CONFIG.projection_dim, v.hidden_size], 0.2);
  f32('text_model.embeddings.token_embedding.weight', [t.vocab_size, t.hidden_size], 0.5);
  f32(
    'text_model.embeddings.position_embedding.weight',
    [t.max_position_embeddings, t.hidden_size],
    0.3,
  );
  ids('text_model.embeddings.position_ids', t.max_position_embeddings);
  encoder('text_model', t.hidden_size, t.intermediate_size, t.num_hidden_layers);
  f32('text_model.final_layer_norm.weight', [t.hidden_size], 0.1, 1);
  f32('text_model.final_layer_norm.bias', [t.hidden_size], 0.1);
  f32('text_projection.weight', [TINY_CLIP_CONFIG.projection_dim, t.hidden_size], 0.2);
  out['logit_scale'] = {
    dtype: 'F32',
    shape: [],
    data: Float32Array.of(TINY_CLIP_CONFIG.logit_scale_init_value),
  };
  return out;
}

/** File name → contents of the tiny CLIP folder. */
export function buildTinyClip(seed = 20240607): Map<string, Uint8Array> {
  const text = (x: unknown) => new TextEncoder().encode(`${JSON.stringify(x, null, 2)}\n`);
  const merges = `#version: 0.2\n${tinyClipMerges()
    .map(([a, b]) => `${a} ${b}`)
    .join('\n')}\n`;
  return new Map<string, Uint8Array>([
    ['config.json', text(TINY_CLIP_CONFIG)],
    ['preprocessor_config.json', text(TINY_CLIP_PREPROCESSOR_CONFIG)],
    ['vocab.json', text(tinyClipVocab())],
    ['merges.txt', new TextEncoder().encode(merges)],
    [
      'model.safetensors',
      serializeSafetensors(tinyClipTensors(seed), { metadata: { format: 'pt' } }),
    ],
  ]);
}
