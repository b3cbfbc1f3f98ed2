/**
 * The language-model interface every decoder family implements (GPT-2, OPT, …): token
 * embeddings, a forward over new positions with a device-resident KV cache, a hook beside each
 * layer's FFN, and the LM head. Decoding strategies, adapters (I-Tuning), prefix methods
 * (ClipCap, SITTA, ReCap) and training are written against this interface only.
 *
 * Shapes: B batch rows, T new positions, Tpast cached positions, C hidden size, E the width of
 * token embeddings and of the LM head input (C for GPT-2; OPT's `word_embed_proj_dim`), V vocab.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import type { KvCache } from './kv-cache.js';

export interface LanguageDecoderConfig {
  /** `model_type` of the checkpoint's config.json ("gpt2", "opt", …). */
  readonly modelType: string;
  readonly vocabSize: number;
  /** Width of the residual stream (C). */
  readonly hiddenSize: number;
  /** Width of token embeddings, `inputsEmbeds` and the LM head input (E). */
  readonly embedSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** Longest sequence (cached + new positions) the position embeddings allow. */
  readonly maxPositions: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  /** Padding id the family's tokenizer uses (GPT-2 has none and pads with eos). */
  readonly padTokenId: number;
}

/**
 * Called once per layer during a forward, beside the FFN (I-Tuning): receives the hidden states
 * the FFN reads (after its layer norm, for pre-LN models) and the FFN output, both [B, T, C], and
 * returns the FFN output to use (e.g. `ffnOutput + Δh`). Extra inputs (image features) are
 * closed over. Must be synchronous and keep shapes.
 */
export type FfnHook = (layer: number, ffnInput: Tensor, ffnOutput: Tensor) => Tensor;

/**
 * Host-side padding mask, one row per batch row, covering cached and new positions
 * ([B][Tpast + T]): 1 = real token, 0 = padding. Position ids are derived from it on the host,
 * as Hugging Face's `generate` does (`cumsum(mask) - 1`).
 */
export type AttentionMask = readonly ArrayLike<number>[];

export interface DecoderForwardInput {
  /** int32 [B, T]: token ids of the new positions. Exactly one of `inputIds` / `inputsEmbeds`. */
  readonly inputIds?: Tensor;
  /** float32 [B, T, E]: token embeddings without positions (a prefix may be prepended). */
  readonly inputsEmbeds?: Tensor;
  /** [B][Tpast + T]; absent means every position is real. */
  readonly attentionMask?: AttentionMask;
  /** Keys and values of earlier positions; absent or null for the first call. */
  readonly cache?: KvCache | null;
  readonly ffnHook?: FfnHook;
  /** Return the extended cache (default true). Training passes false. */
  readonly useCache?: boolean;
}

export interface DecoderForwardOutput {
  /** [B, T, E]: final hidden states, the LM head's input. */
  readonly hidden: Tensor;
  /** The cache extended by the new positions (null when `useCache` is false). The input cache is untouched. */
  readonly cache: KvCache | null;
}

export interface DecoderStepInput extends Omit<DecoderForwardInput, 'useCache'> {
  /** Logits of the last position only (default) or of all new positions. */
  readonly logitsFor?: 'last' | 'all';
}

export interface DecoderStepOutput {
  /** [B, V] for `logitsFor: 'last'`, [B, T, V] for `'all'`. */
  readonly logits: Tensor;
  /** The extended cache; the caller disposes the one it passed in when done with it. */
  readonly cache: KvCache;
}

export interface LanguageDecoder {
  readonly config: LanguageDecoderConfig;
  readonly engine: Engine;
  /** int32 [B, T] → [B, T, E] token embeddings (no positions). */
  embedTokens(ids: Tensor): Tensor;
  /** The transformer over new positions; differentiable w.r.t. trainable inputs and hook parameters. */
  forward(input: DecoderForwardInput): DecoderForwardOutput;
  /** [..., E] → [..., V] through the LM head (tied to the token embeddings for GPT-2 and OPT). */
  logits(hidden: Tensor): Tensor;
  /** One decoding step: forward + logits, with the cache on the device. */
  step(input: DecoderStepInput): DecoderStepOutput;
  /** A new cache whose row i is row `beamIndices[i]` of `cache` (int32 [N]); `cache` stays valid. */
  reorderCache(cache: KvCache, beamIndices: Tensor | Int32Array): KvCache;
  /** The frozen weights (non-trainable Variables, named as in the checkpoint). */
  readonly weights: readonly Variable[];
  /** Frees the weights. */
  dispose(): void;
}
