/**
 * The CLIP transformer encoder shared by both towers, as huggingface/transformers
 * `models/clip/modeling_clip.py` (`CLIPEncoderLayer`, `CLIPAttention`, `CLIPMLP`): pre-LN
 * residual blocks, multi-head self-attention with biased q/k/v/out projections and scale 1/√D,
 * then fc1 → activation → fc2. nn.Linear weights are [out, in] (used transposed).
 */
import type { HfActivation } from '../../checkpoint/hf-config-schema.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor, Variable } from '../../engine/tensor.js';
import { CaptuneError } from '../../errors/captune-error.js';
import type { ClipWeightLoader } from './clip-weights.js';

export interface ClipLinear {
  readonly weight: Variable; // [out, in]
  readonly bias: Variable; // [out]
}

export interface ClipLayerNorm {
  readonly weight: Variable; // [C]
  readonly bias: Variable; // [C]
}

export interface ClipEncoderLayerWeights {
  readonly layerNorm1: ClipLayerNorm;
  readonly q: ClipLinear;
  readonly k: ClipLinear;
  readonly v: ClipLinear;
  readonly out: ClipLinear;
  readonly layerNorm2: ClipLayerNorm;
  readonly fc1: ClipLinear;
  readonly fc2: ClipLinear;
}

export interface ClipEncoderDims {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly activation: HfActivation;
  readonly layerNormEps: number;
}

/** The activations CLIP checkpoints use, by `hidden_act` (transformers' ACT2FN). */
export function clipActivation(
  name: HfActivation,
  where: string,
): (e: Engine, x: Tensor) => Tensor {
  switch (name) {
    case 'quick_gelu':
      return (e, x) => e.quickGelu(x);
    case 'gelu':
      return (e, x) => e.geluErf(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return (e, x) => e.gelu(x);
    default:
      throw new CaptuneError(
        `${where}: hidden_act "${name}" is not supported by captune's CLIP (use quick_gelu, gelu, gelu_new or gelu_pytorch_tanh)`,
      );
  }
}

export async function loadLinear(
  l: ClipWeightLoader,
  prefix: string,
  inF: number,
  outF: number,
): Promise<ClipLinear> {
  return {
    weight: await l.load(`${prefix}.weight`, [outF, inF]),
    bias: await l.load(`${prefix}.bias`, [outF]),
  };
}

export async function loadLayerNorm(
  l: ClipWeightLoader,
  prefix: string,
  c: number,
): Promise<ClipLayerNorm> {
  return {
    weight: await l.load(`${prefix}.weight`, [c]),
    bias: await l.load(`${prefix}.bias`, [c]),
  };
}

/** Loads `${prefix}.layers.{i}.*` for every layer. */
export async function loadEncoderLayers(
  l: ClipWeightLoader,
  prefix: string,
  d: ClipEncoderDims,
): Promise<ClipEncoderLayerWeights[]> {
  const c = d.hiddenSize;
  const layers: ClipEncoderLayerWeights[] = [];
  for (let i = 0; i < d.numHiddenLayers; i++) {
    const p = `${prefix}.layers.${i}`;
    layers.push({
      layerNorm1: await loadLayerNorm(l, `${p}.layer_norm1`, c),
      q: await loadLinear(l, `${p}.self_attn.q_proj`, c, c),
      k: await loadLinear(l, `${p}.self_attn.k_proj`, c, c),
      v: await loadLinear(l, `${p}.self_attn.v_proj`, c, c),
      out: await loadLinear(l, `${p}.self_attn.out_proj`, c, c),
      layerNorm2: await loadLayerNorm(l, `${p}.layer_norm2`, c),
      fc1: await loadLinear(l, `${p}.mlp.fc1`, c, d.intermediateSize),
      fc2: await loadLinear(l, `${p}.mlp.fc2`, d.intermediateSize, c),
    });
  }
  return layers;
}

export function applyLinear(e: Engine, x: Tensor, w: ClipLinear): Tensor {
  return e.linear(x, w.weight, w.bias, { transposed: true });
}

/** Multi-head self-attention: x [B, T, C], additive mask [1, 1, T, T] or null → [B, T, C]. */
function selfAttention(
  e: Engine,
  x: Tensor,
  w: ClipEncoderLayerWeights,
  heads: number,
  mask: Tensor | null,
): Tensor {
  const [b, t, c] = x.shape as [number, number, number];
  const d = c / heads;
  const split = (y: Tensor) => e.transpose(e.reshape(y, [b, t, heads, d]), [0, 2, 1, 3]); // [B, H, T, D]
  // q, k and v in one product against the three projections stacked ([3C, C], [3C]), then split
  // (Engine.stackedLinears): one GEMM of width 3C instead of three of width C (the ViT-B/16 image encoder ~6% faster on
  // backend-onnx, which folds the concat of frozen weights once per session; the same numbers).
  const parts = e.stackedLinears(x, [w.q.weight, w.k.weight, w.v.weight], [w.q.bias, w.k.bias, w.v.bias], { transposed: true }); // [B, T, C] each
  const [q, k, v] = parts.map(split) as [Tensor, Tensor, Tensor]; // [B, H, T, D] each
  const a = e.attention(q, k, v, mask, 1 / Math.sqrt(d)); // [B, H, T, D]
  const merged = e.reshape(e.transpose(a, [0, 2, 1, 3]), [b, t, c]); // [B, T, C]
  return applyLinear(e, merged, w.out); // [B, T, C]
}

/** One `CLIPEncoderLayer`: x [B, T, C] → [B, T, C]. */
export function encoderLayer(
  e: Engine,
  x: Tensor,
  w: ClipEncoderLayerWeights,
  d: ClipEncoderDims,
  act: (e: Engine, x: Tensor) => Tensor,
  mask: Tensor | null,
): Tensor {
  const h1 = e.layerNorm(x, w.layerNorm1.weight, w.layerNorm1.bias, d.layerNormEps); // [B, T, C]
  const x1 = e.add(x, selfAttention(e, h1, w, d.numAttentionHeads, mask)); // [B, T, C]
  const h2 = e.layerNorm(x1, w.layerNorm2.weight, w.layerNorm2.bias, d.layerNormEps); // [B, T, C]
  const m = applyLinear(e, act(e, applyLinear(e, h2, w.fc1)), w.fc2); // [B, T, C]
  return e.add(x1, m); // [B, T, C]
}

/** All layers in order: x [B, T, C] → [B, T, C]. */
export function runEncoder(
  e: Engine,
  x: Tensor,
  layers: readonly ClipEncoderLayerWeights[],
  d: ClipEncoderDims,
  act: (e: Engine, x: Tensor) => Tensor,
  mask: Tensor | null,
): Tensor {
  let h = x; // [B, T, C]
  for (const w of layers) {
    const input = h;
    h = e.tidy(() => encoderLayer(e, input, w, d, act, mask)); // [B, T, C]
  }
  return h;
}
