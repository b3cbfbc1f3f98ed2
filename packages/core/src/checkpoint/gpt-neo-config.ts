/**
 * GPT-Neo `config.json` → typed config. Keys and defaults follow huggingface/transformers
 * `models/gpt_neo/configuration_gpt_neo.py` (`GPTNeoConfig.__init__`), including the expansion
 * of `attention_types` (`[[["global", "local"], 12]]`) into one attention kind per layer, which
 * must give exactly `num_layers` entries.
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

export type GptNeoAttentionKind = 'global' | 'local';

export interface GptNeoConfig {
  readonly modelType: 'gpt_neo';
  readonly vocabSize: number;
  readonly maxPositionEmbeddings: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** FFN width; null / absent means 4 × hiddenSize, as in `GPTNeoBlock`. */
  readonly intermediateSize: number;
  /** Span of local attention layers. */
  readonly windowSize: number;
  /** One entry per layer, expanded from `attention_types`. */
  readonly attentionLayers: readonly GptNeoAttentionKind[];
  readonly activation: HfActivation;
  readonly layerNormEps: number;
  readonly residDropout: number;
  readonly embedDropout: number;
  readonly attentionDropout: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly tieWordEmbeddings: boolean;
}

const attentionKind = z.enum(['global', 'local'], { error: 'expected "global" or "local"' });

export const GptNeoConfigJson = z.looseObject({
  model_type: z.string().optional(),
  vocab_size: positiveInt().default(50257),
  max_position_embeddings: positiveInt().default(2048),
  hidden_size: positiveInt().default(2048),
  num_layers: positiveInt().default(24),
  attention_types: z
    .array(
      z.tuple([z.array(attentionKind), positiveInt()], {
        error: 'expected [["global" | "local", ...], repeat]',
      }),
      {
        error: 'expected a list of [kinds, repeat] pairs',
      },
    )
    .default([[['global', 'local'], 12]]),
  num_heads: positiveInt().default(16),
  intermediate_size: positiveInt().nullish(),
  window_size: positiveInt().default(256),
  activation_function: activation().default('gelu_new'),
  resid_dropout: probability().default(0),
  embed_dropout: probability().default(0),
  attention_dropout: probability().default(0),
  layer_norm_epsilon: positiveNumber().default(1e-5),
  bos_token_id: nonNegativeInt().default(50256),
  eos_token_id: nonNegativeInt().default(50256),
  tie_word_embeddings: bool().default(true),
});

/** Parses a GPT-Neo config object; `file` names it in errors. */
export function parseGptNeoConfig(json: unknown, file = 'config.json'): GptNeoConfig {
  const c = parseWith(GptNeoConfigJson, json, file);
  if (c.model_type !== undefined && c.model_type !== 'gpt_neo') {
    throw configError(file, ['model_type'], 'expected "gpt_neo"', { value: c.model_type });
  }
  requireDivisible(file, ['hidden_size', c.hidden_size], ['num_heads', c.num_heads]);
  const attentionLayers: GptNeoAttentionKind[] = [];
  for (const [kinds, repeat] of c.attention_types) {
    for (let i = 0; i < repeat; i++) attentionLayers.push(...kinds);
  }
  if (attentionLayers.length !== c.num_layers) {
    throw configError(
      file,
      ['attention_types'],
      `expands to ${attentionLayers.length} layers but num_layers is ${c.num_layers}`,
    );
  }
  return {
    modelType: 'gpt_neo',
    vocabSize: c.vocab_size,
    maxPositionEmbeddings: c.max_position_embeddings,
    hiddenSize: c.hidden_size,
    numLayers: c.num_layers,
    numHeads: c.num_heads,
    intermediateSize: c.intermediate_size ?? 4 * c.hidden_size,
    windowSize: c.window_size,
    attentionLayers,
    activation: c.activation_function,
    layerNormEps: c.layer_norm_epsilon,
    residDropout: c.resid_dropout,
    embedDropout: c.embed_dropout,
    attentionDropout: c.attention_dropout,
    bosTokenId: c.bos_token_id,
    eosTokenId: c.eos_token_id,
    tieWordEmbeddings: c.tie_word_embeddings,
  };
}
