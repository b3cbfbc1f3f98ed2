/**
 * What every trained captioning adapter offers the pipelines: its trainable parameters and how
 * it conditions a frozen language decoder on image features (a prefix of embeddings, a hook
 * beside each FFN, or both). I-Tuning and ClipCap implement it; training and decoding are
 * written against it only.
 */
import type { Conditioning } from '../decoding/decode-session.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';

/** The frozen image encoder's outputs for a batch of images. */
export interface VisualFeatures {
  /** [B, N, Cv]: every output token of the vision transformer (what cross-attention reads). */
  readonly tokens?: Tensor;
  /** [B, P]: the projected image embedding (what a prefix mapper reads). */
  readonly embeds?: Tensor;
}

export interface CaptionAdapter {
  readonly method: string;
  readonly engine: Engine;
  /** Trainable parameters, named for checkpoints (`<method>.…`). */
  readonly params: readonly Variable[];
  /**
   * Conditioning for a batch. For decoding, the conditioning owns tensors it derives and frees
   * them in `dispose()`; for training (inside `valueAndGrads`), the same call records a
   * differentiable path to `params`.
   */
  condition(features: VisualFeatures): Conditioning & { dispose(): void };
  dispose(): void;
}

/** Number of scalar parameters. */
export function parameterCount(params: readonly Variable[]): number {
  return params.reduce((n, p) => n + p.size, 0);
}
