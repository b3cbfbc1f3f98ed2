/**
 * Multi-head causal self-attention over new positions with cached keys and values, shared by
 * the decoder families (the head split/merge of `GPT2Attention._split_heads` / `_merge_heads`
 * in transformers `modeling_gpt2.py`, and OPT's `_shape`). Projections stay in the families.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { KvCache, type LayerKv } from './kv-cache.js';

/** [B, T, C] → [B, H, T, D] */
export function splitHeads(e: Engine, x: Tensor, heads: number): Tensor {
  const [b, t, c] = x.shape as [number, number, number];
  const r = e.reshape(x, [b, t, heads, c / heads]); // [B, T, H, D]
  return e.transpose(r, [0, 2, 1, 3]); // [B, H, T, D]
}

/** [B, H, T, D] → [B, T, C] */
export function mergeHeads(e: Engine, x: Tensor): Tensor {
  const [b, h, t, d] = x.shape as [number, number, number, number];
  const r = e.transpose(x, [0, 2, 1, 3]); // [B, T, H, D]
  return e.reshape(r, [b, t, h * d]); // [B, T, C]
}

export interface SelfAttentionArgs {
  /** [B, T, C] projections of the new positions. */
  readonly q: Tensor;
  readonly k: Tensor;
  readonly v: Tensor;
  readonly heads: number;
  /** This layer's cached keys and values. */
  readonly past?: LayerKv;
  /** Additive mask [B or 1, 1, T, Tpast + T] or null. */
  readonly mask: Tensor | null;
  readonly scale: number;
}

/** Returns the attended values [B, T, C] (before the output projection) and the layer's extended k/v. */
export function causalSelfAttention(e: Engine, args: SelfAttentionArgs): { out: Tensor; kv: LayerKv } {
  const q = splitHeads(e, args.q, args.heads); // [B, H, T, D]
  const k = splitHeads(e, args.k, args.heads); // [B, H, T, D]
  const v = splitHeads(e, args.v, args.heads); // [B, H, T, D]
  const kv = KvCache.extend(e, args.past, k, v); // [B, H, Tpast + T, D] each
  const a = e.attention(q, kv.k, kv.v, args.mask, args.scale); // [B, H, T, D]
  return { out: mergeHeads(e, a), kv }; // [B, T, C]
}
