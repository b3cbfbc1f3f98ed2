/**
 * OPT `config.json` → typed config. Keys and defaults follow huggingface/transformers
 * `models/opt/configuration_opt.py` (`OPTConfig.__init__`): `word_embed_proj_dim` defaults to
 * `hidden_size` (opt-350m projects 512 ↔ 1024; the others do not).
 */
import { z } from 'zod';
import {
  activation,
  bool,
  configError,
  nonNegativeInt,
  parseWith,
  positiveInt,
  probability,
  requireDivisible,
  type HfActivation,
} from './hf-config-schema.js';

export interface OptConfig {
  readonly modelType: 'opt';
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly ffnDim: number;
  readonly numAttentionHeads: number;
  /** Learned positions; the embedding table has 2 more rows (OPT's position offset). */
  readonly maxPositionEmbeddings: number;
  /** Pre-LN (true) or post-LN (false, opt-350m). */
  readonly doLayerNormBefore: boolean;
  readonly removeFinalLayerNorm: boolean;
  readonly wordEmbedProjDim: number;
  readonly activation: HfActivation;
  readonly dropout: number;
  readonly attentionDropout: number;
  readonly enableBias: boolean;
  readonly layerNormElementwiseAffine: boolean;
  readonly padTokenId: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly tieWordEmbeddings: boolean;
}

export const OptConfigJson = z.looseObject({
  model_type: z.string().optional(),
  vocab_size: positiveInt().default(50272),
  hidden_size: positiveInt().default(768),
  num_hidden_layers: positiveInt().default(12),
  ffn_dim: positiveInt().default(3072),
  max_position_embeddings: positiveInt().default(2048),
  do_layer_norm_before: bool().default(true),
  _remove_final_layer_norm: bool().default(false),
  word_embed_proj_dim: positiveInt().nullish(),
  dropout: probability().default(0.1),
  attention_dropout: probability().default(0),
  num_attention_heads: positiveInt().default(12),
  activation_function: activation().default('relu'),
  pad_token_id: nonNegativeInt().default(1),
  bos_token_id: nonNegativeInt().default(2),
  eos_token_id: nonNegativeInt().default(2),
  enable_bias: bool().default(true),
  layer_norm_elementwise_affine: bool().default(true),
  tie_word_embeddings: bool().default(true),
});

/** Parses an OPT config object; `file` names it in errors. */
export function parseOptConfig(json: unknown, file = 'config.json'): OptConfig {
  const c = parseWith(OptConfigJson, json, file);
  if (c.model_type !== undefined && c.model_type !== 'opt') {
    throw configError(file, ['model_type'], 'expected "opt"', { value: c.model_type });
  }
  requireDivisible(
    file,
    ['hidden_size', c.hidden_size],
    ['num_attention_heads', c.num_attention_heads],
  );
  return {
    modelType: 'opt',
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    numHiddenLayers: c.num_hidden_layers,
    ffnDim: c.ffn_dim,
    numAttentionHeads: c.num_attention_heads,
    maxPositionEmbeddings: c.max_position_embeddings,
    doLayerNormBefore: c.do_layer_norm_before,
    removeFinalLayerNorm: c._remove_final_layer_norm,
    wordEmbedProjDim: c.word_embed_proj_dim ?? c.hidden_size,
    activation: c.activation_function,
    dropout: c.dropout,
    attentionDropout: c.attention_dropout,
    enableBias: c.enable_bias,
    layerNormElementwiseAffine: c.layer_norm_elementwise_affine,
    padTokenId: c.pad_token_id,
    bosTokenId: c.bos_token_id,
    eosTokenId: c.eos_token_id,
    tieWordEmbeddings: c.tie_word_embeddings,
  };
}
