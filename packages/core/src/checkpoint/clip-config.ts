/**
 * CLIP `config.json` → typed config. Keys and defaults follow huggingface/transformers
 * `models/clip/configuration_clip.py` (`CLIPTextConfig`, `CLIPVisionConfig`, `CLIPConfig`),
 * including the legacy `text_config_dict` / `vision_config_dict`, whose values (completed with
 * defaults) win over `text_config` / `vision_config` as in `CLIPConfig.__init__`.
 * Standalone `clip_text_model` / `clip_vision_model` configs parse with the sub-config parsers.
 */
import { z } from 'zod';
import {
  activation,
  configError,
  finiteNumber,
  nonNegativeInt,
  parseWith,
  positiveInt,
  positiveNumber,
  requireDivisible,
  subConfig,
  type HfActivation,
} from './hf-config-schema.js';

export interface ClipTextConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly maxPositionEmbeddings: number;
  readonly activation: HfActivation;
  readonly layerNormEps: number;
  readonly padTokenId: number;
  readonly bosTokenId: number;
  /**
   * As stored. Old OpenAI CLIP uploads say 2 here while the real end token is 49407;
   * transformers then pools at the argmax token id, which is the end token.
   */
  readonly eosTokenId: number;
}

export interface ClipVisionConfig {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly imageSize: number;
  readonly patchSize: number;
  readonly numChannels: number;
  readonly activation: HfActivation;
  readonly layerNormEps: number;
}

export interface ClipConfig {
  readonly modelType: 'clip';
  readonly text: ClipTextConfig;
  readonly vision: ClipVisionConfig;
  /** Width of the joint embedding space. */
  readonly projectionDim: number;
  readonly logitScaleInitValue: number;
}

export const ClipTextConfigJson = z.looseObject({
  vocab_size: positiveInt().default(49408),
  hidden_size: positiveInt().default(512),
  intermediate_size: positiveInt().default(2048),
  num_hidden_layers: positiveInt().default(12),
  num_attention_heads: positiveInt().default(8),
  max_position_embeddings: positiveInt().default(77),
  hidden_act: activation().default('quick_gelu'),
  layer_norm_eps: positiveNumber().default(1e-5),
  pad_token_id: nonNegativeInt().default(1),
  bos_token_id: nonNegativeInt().default(49406),
  eos_token_id: nonNegativeInt().default(49407),
});

export const ClipVisionConfigJson = z.looseObject({
  hidden_size: positiveInt().default(768),
  intermediate_size: positiveInt().default(3072),
  num_hidden_layers: positiveInt().default(12),
  num_attention_heads: positiveInt().default(12),
  num_channels: positiveInt().default(3),
  image_size: positiveInt().default(224),
  patch_size: positiveInt().default(32),
  hidden_act: activation().default('quick_gelu'),
  layer_norm_eps: positiveNumber().default(1e-5),
});

export const ClipConfigJson = z.looseObject({
  model_type: z.string().optional(),
  text_config: subConfig(),
  vision_config: subConfig(),
  text_config_dict: subConfig(),
  vision_config_dict: subConfig(),
  projection_dim: positiveInt().default(512),
  logit_scale_init_value: finiteNumber().default(2.6592),
});

/** Parses a CLIP text config object (`text_config`, or a `clip_text_model` config.json). */
export function parseClipTextConfig(
  json: unknown,
  file = 'config.json',
  prefix: readonly string[] = [],
): ClipTextConfig {
  const c = parseWith(ClipTextConfigJson, json, file, prefix);
  const p = prefix.length ? `${prefix.join('.')}.` : '';
  requireDivisible(
    file,
    ['hidden_size', c.hidden_size],
    ['num_attention_heads', c.num_attention_heads],
    p,
  );
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numHiddenLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    maxPositionEmbeddings: c.max_position_embeddings,
    activation: c.hidden_act,
    layerNormEps: c.layer_norm_eps,
    padTokenId: c.pad_token_id,
    bosTokenId: c.bos_token_id,
    eosTokenId: c.eos_token_id,
  };
}

/** Parses a CLIP vision config object (`vision_config`, or a `clip_vision_model` config.json). */
export function parseClipVisionConfig(
  json: unknown,
  file = 'config.json',
  prefix: readonly string[] = [],
): ClipVisionConfig {
  const c = parseWith(ClipVisionConfigJson, json, file, prefix);
  const p = prefix.length ? `${prefix.join('.')}.` : '';
  requireDivisible(
    file,
    ['hidden_size', c.hidden_size],
    ['num_attention_heads', c.num_attention_heads],
    p,
  );
  requireDivisible(file, ['image_size', c.image_size], ['patch_size', c.patch_size], p);
  return {
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numHiddenLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    imageSize: c.image_size,
    patchSize: c.patch_size,
    numChannels: c.num_channels,
    activation: c.hidden_act,
    layerNormEps: c.layer_norm_eps,
  };
}

/** Parses a full CLIP (`model_type: "clip"`) config object; `file` names it in errors. */
export function parseClipConfig(json: unknown, file = 'config.json'): ClipConfig {
  const c = parseWith(ClipConfigJson, json, file);
  if (c.model_type !== undefined && c.model_type !== 'clip') {
    throw configError(file, ['model_type'], 'expected "clip"', { value: c.model_type });
  }
  const textKey = c.text_config_dict ? 'text_config_dict' : 'text_config';
  const visionKey = c.vision_config_dict ? 'vision_config_dict' : 'vision_config';
  return {
    modelType: 'clip',
    text: parseClipTextConfig(c[textKey] ?? {}, file, [textKey]),
    vision: parseClipVisionConfig(c[visionKey] ?? {}, file, [visionKey]),
    projectionDim: c.projection_dim,
    logitScaleInitValue: c.logit_scale_init_value,
  };
}
