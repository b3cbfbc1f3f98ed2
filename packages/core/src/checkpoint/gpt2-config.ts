/**
 * GPT-2 `config.json` → typed config. Keys and defaults follow huggingface/transformers
 * `models/gpt2/configuration_gpt2.py` (`GPT2Config.__init__`); `tie_word_embeddings` defaults
 * to true as in `PretrainedConfig`. Old files (e.g. the original `gpt2` upload) omit `n_inner`,
 * `scale_attn_*` and more: the defaults fill them in. Unknown keys are ignored.
 */
import { z } from 'zod';
import {
  activation,
  bool,
  configError,
  nonNegativeInt,
  parseWith,
  positiveInt,
  positiveNumber,
  probability,
  requireDivisible,
  type HfActivation,
} from './hf-config-schema.js';

export interface Gpt2Config {
  readonly modelType: 'gpt2';
  readonly vocabSize: number;
  /** Context length (`n_positions`). */
  readonly nPositions: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  /** FFN width; `n_inner: null` (or absent) means 4 × nEmbd, as in `GPT2MLP`. */
  readonly nInner: number;
  readonly activation: HfActivation;
  readonly layerNormEps: number;
  readonly residPdrop: number;
  readonly embdPdrop: number;
  readonly attnPdrop: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly tieWordEmbeddings: boolean;
  readonly scaleAttnWeights: boolean;
  readonly scaleAttnByInverseLayerIdx: boolean;
  readonly reorderAndUpcastAttn: boolean;
}

export const Gpt2ConfigJson = z.looseObject({
  model_type: z.string().optional(),
  vocab_size: positiveInt().default(50257),
  n_positions: positiveInt().default(1024),
  n_embd: positiveInt().default(768),
  n_layer: positiveInt().default(12),
  n_head: positiveInt().default(12),
  n_inner: positiveInt().nullish(),
  activation_function: activation().default('gelu_new'),
  resid_pdrop: probability().default(0.1),
  embd_pdrop: probability().default(0.1),
  attn_pdrop: probability().default(0.1),
  layer_norm_epsilon: positiveNumber().default(1e-5),
  bos_token_id: nonNegativeInt().default(50256),
  eos_token_id: nonNegativeInt().default(50256),
  scale_attn_weights: bool().default(true),
  scale_attn_by_inverse_layer_idx: bool().default(false),
  reorder_and_upcast_attn: bool().default(false),
  tie_word_embeddings: bool().default(true),
});

/** Parses a GPT-2 config object; `file` names it in errors. */
export function parseGpt2Config(json: unknown, file = 'config.json'): Gpt2Config {
  const c = parseWith(Gpt2ConfigJson, json, file);
  if (c.model_type !== undefined && c.model_type !== 'gpt2') {
    throw configError(file, ['model_type'], 'expected "gpt2"', { value: c.model_type });
  }
  requireDivisible(file, ['n_embd', c.n_embd], ['n_head', c.n_head]);
  return {
    modelType: 'gpt2',
    vocabSize: c.vocab_size,
    nPositions: c.n_positions,
    nEmbd: c.n_embd,
    nLayer: c.n_layer,
    nHead: c.n_head,
    nInner: c.n_inner ?? 4 * c.n_embd,
    activation: c.activation_function,
    layerNormEps: c.layer_norm_epsilon,
    residPdrop: c.resid_pdrop,
    embdPdrop: c.embd_pdrop,
    attnPdrop: c.attn_pdrop,
    bosTokenId: c.bos_token_id,
    eosTokenId: c.eos_token_id,
    tieWordEmbeddings: c.tie_word_embeddings,
    scaleAttnWeights: c.scale_attn_weights,
    scaleAttnByInverseLayerIdx: c.scale_attn_by_inverse_layer_idx,
    reorderAndUpcastAttn: c.reorder_and_upcast_attn,
  };
}
