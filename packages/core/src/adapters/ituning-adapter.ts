/**
 * The I-Tuning adapter (Luo et al., "I-Tuning: Tuning Frozen Language Models with Image for
 * Lightweight Image Captioning", ICASSP 2023): in each chosen layer of a frozen language
 * model, parallel to the FFN, a cross-attention from the FFN's input X to all vision tokens V:
 *
 *   Q = X·W_q + b_q,  K = V·W_k + b_k,  V' = V·W_v + b_v        (down to a bottleneck r)
 *   S = softmax(Q·Kᵀ / √(r/h))                                  (h heads; h = 1 by default)
 *   Δh = λ · ((S·V')·W_up + b_up)                                added to the FFN output
 *
 * "Dropping" puts adapters only in layers ≥ `startLayer`. With `zeroInitUp` the up-projection
 * starts at zero, so training starts exactly from the frozen LM. With the paper's settings on
 * GPT-2 base and ViT-B/16 (C = Cv = 768, r = 384, 12 layers) it has 14.2M trainable parameters.
 * The paper has no public code; this follows its equations.
 */
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import type { FfnHook } from '../models/language-decoder.js';
import { Rng } from '../random/rng.js';
import type { CaptionAdapter, VisualFeatures } from './caption-adapter.js';

export const ITuningConfigSchema = z
  .object({
    /** Bottleneck width r of Q, K and V'. @default 384 */
    bottleneck: z.number().int().positive().default(384),
    /** Attention heads inside the bottleneck (r must divide by it). @default 1 */
    heads: z.number().int().positive().default(1),
    /** λ, the scale of Δh (the paper uses λ ≥ 1). @default 1 */
    scale: z.number().min(1).default(1),
    /** First layer with an adapter ("dropping": layers below get none). @default 0 */
    startLayer: z.number().int().min(0).default(0),
    /** Start W_up and b_up at zero so the untrained adapter leaves the LM unchanged. @default true */
    zeroInitUp: z.boolean().default(true),
    /** Std of the normal init of the down-projections. @default 0.02 */
    initStd: z.number().positive().default(0.02),
  })
  .strict();
export type ITuningConfig = z.infer<typeof ITuningConfigSchema>;

export interface ITuningDims {
  /** Hidden size C of the language model. */
  readonly lmHidden: number;
  /** Width Cv of the vision tokens. */
  readonly visionHidden: number;
  readonly numLayers: number;
}

interface LayerParams {
  readonly wq: Variable; // [C, r]
  readonly bq: Variable; // [r]
  readonly wk: Variable; // [Cv, r]
  readonly bk: Variable; // [r]
  readonly wv: Variable; // [Cv, r]
  readonly bv: Variable; // [r]
  readonly wUp: Variable; // [r, C]
  readonly bUp: Variable; // [C]
}

/** Receives the attention of the last adapter layer: [B, h, T, N] per forward (for attention maps). */
export type AttentionCapture = (layer: number, weights: Tensor) => void;

export class ITuningAdapter implements CaptionAdapter {
  readonly method = 'ituning';
  readonly config: ITuningConfig;
  readonly params: Variable[] = [];
  private readonly layers = new Map<number, LayerParams>();

  constructor(
    readonly engine: Engine,
    readonly dims: ITuningDims,
    config: Partial<ITuningConfig> = {},
    seed = 0,
  ) {
    this.config = ITuningConfigSchema.parse(config);
    const { bottleneck: r, heads, startLayer, zeroInitUp, initStd } = this.config;
    if (r % heads !== 0) throw new CaptuneError(`ituning: bottleneck ${r} must be divisible by heads ${heads}`);
    if (startLayer >= dims.numLayers) throw new CaptuneError(`ituning: startLayer ${startLayer} leaves no adapter in a ${dims.numLayers}-layer model`);
    const rng = new Rng(seed);
    const e = engine;
    const param = (name: string, shape: number[], init: 'normal' | 'zeros'): Variable => {
      const n = shape.reduce((a, b) => a * b, 1);
      const v = e.variable(init === 'zeros' ? e.zeros(shape) : e.tensor(rng.normalArray(n, initStd), shape), { name, trainable: true });
      this.params.push(v);
      return v;
    };
    const { lmHidden: C, visionHidden: Cv } = dims;
    for (let l = startLayer; l < dims.numLayers; l++) {
      const p = `ituning.layers.${l}`;
      this.layers.set(l, {
        wq: param(`${p}.q.weight`, [C, r], 'normal'),
        bq: param(`${p}.q.bias`, [r], 'zeros'),
        wk: param(`${p}.k.weight`, [Cv, r], 'normal'),
        bk: param(`${p}.k.bias`, [r], 'zeros'),
        wv: param(`${p}.v.weight`, [Cv, r], 'normal'),
        bv: param(`${p}.v.bias`, [r], 'zeros'),
        wUp: param(`${p}.up.weight`, [r, C], zeroInitUp ? 'zeros' : 'normal'),
        bUp: param(`${p}.up.bias`, [C], 'zeros'),
      });
    }
  }

  /** Layers that carry an adapter. */
  get adaptedLayers(): number[] {
    return [...this.layers.keys()];
  }

  /**
   * Conditioning from vision tokens [B, N, Cv]. K and V' are computed once per batch (and per
   * row mapping during beam search), not at every decoding step.
   */
  condition(features: VisualFeatures, capture?: AttentionCapture): { ffnHook(rows: Int32Array): FfnHook; dispose(): void } {
    const tokens = features.tokens;
    if (!tokens || tokens.rank !== 3 || tokens.shape[2] !== this.dims.visionHidden) {
      throw new CaptuneError(`ituning: needs vision tokens [B, N, ${this.dims.visionHidden}], got ${tokens ? `[${tokens.shape.join(', ')}]` : 'none'}`);
    }
    const e = this.engine;
    let held: Tensor[] = [];
    const release = () => {
      if (!e.recording) e.dispose(held);
      held = [];
    };
    return {
      ffnHook: (rows: Int32Array) => {
        release();
        const identity = rows.length === tokens.shape[0] && rows.every((r, i) => r === i);
        const feats = identity ? tokens : e.gather(tokens, e.tensor(rows, [rows.length], 'int32')); // [B', N, Cv]
        const kv = this.keysAndValues(feats);
        if (!identity) held.push(feats);
        for (const { k, v } of kv.values()) held.push(k, v);
        return (layer, x, ffnOut) => {
          const p = this.layers.get(layer);
          const cached = kv.get(layer);
          if (!p || !cached) return ffnOut;
          return this.delta(layer, p, x, cached.k, cached.v, ffnOut, capture);
        };
      },
      dispose: release,
    };
  }

  /**
   * K and V' of every adapted layer from vision tokens [B', N, Cv]: one product against all
   * layers' W_k and W_v side by side (Engine.stackedLinears). The train step's weight gradient of
   * these projections is then one GEMM instead of 2·L narrow ones (N = r): profiled on onnx,
   * GPT-2 124M with r = 48 in 12 layers, B = 32, 96–105 ms instead of 144–146 ms.
   */
  private keysAndValues(feats: Tensor): Map<number, { k: Tensor; v: Tensor }> {
    const e = this.engine;
    const layers = [...this.layers];
    // (tidy frees the intermediates; while recording, the backward pass keeps what it reads.)
    return e.tidy(() => {
      const parts = e.stackedLinears(feats, layers.flatMap(([, p]) => [p.wk, p.wv]), layers.flatMap(([, p]) => [p.bk, p.bv])); // [B', N, r] each
      return new Map(layers.map(([l], i) => [l, { k: this.heads(parts[2 * i]!), v: this.heads(parts[2 * i + 1]!) }])); // [B', h, N, r/h]
    });
  }

  /** ffnOut + λ·Δh for one layer. x, ffnOut [B, T, C]; k, v [B, h, N, r/h]. */
  private delta(layer: number, p: LayerParams, x: Tensor, k: Tensor, v: Tensor, ffnOut: Tensor, capture?: AttentionCapture): Tensor {
    const e = this.engine;
    const { bottleneck: r, heads: h, scale } = this.config;
    const [B, T] = x.shape as [number, number];
    const q = this.heads(e.linear(x, p.wq, p.bq)); // [B, h, T, r/h]
    let o: Tensor;
    if (capture) {
      const s = e.softmax(e.mul(e.matmul(q, k, { transposeB: true }), 1 / Math.sqrt(r / h))); // [B, h, T, N]
      capture(layer, s);
      o = e.matmul(s, v); // [B, h, T, r/h]
    } else {
      o = e.attention(q, k, v, null, 1 / Math.sqrt(r / h)); // [B, h, T, r/h]
    }
    const merged = e.reshape(h === 1 ? o : e.transpose(o, [0, 2, 1, 3]), [B, T, r]); // [B, T, r] (one head: [B, 1, T, r] is that layout already)
    const dh = e.linear(merged, p.wUp, p.bUp); // [B, T, C]
    return e.add(ffnOut, scale === 1 ? dh : e.mul(dh, scale)); // [B, T, C]
  }

  /** [B, L, r] → [B, h, L, r/h] */
  private heads(x: Tensor): Tensor {
    const e = this.engine;
    const [B, L, r] = x.shape as [number, number, number];
    const h = this.config.heads;
    if (h === 1) return e.reshape(x, [B, 1, L, r]); // the same layout: no transpose to copy
    return e.transpose(e.reshape(x, [B, L, h, r / h]), [0, 2, 1, 3]);
  }

  dispose(): void {
    this.engine.dispose(this.params);
  }
}
