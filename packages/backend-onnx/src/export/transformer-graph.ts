/**
 * Transformer pieces written straight as ONNX nodes for the exporters (dynamic batch and
 * sequence: reshapes use 0 = "copy this dimension" and -1): linear layers, layer norm,
 * multi-head attention with an optional KV cache and an additive mask, and activations by
 * their Hugging Face names (transformers `activations.py`).
 */
import { CaptuneError, type HfActivation } from '@captune/core';
import { attr, type GraphBuilder } from '../graph/graph-builder.js';
import { OnnxDataType } from '../proto/onnx-model.js';
import { emitGelu } from '../record/kernel-emitters.js';

/** x [..., K] · W + b with W stored [K, N] (GPT-2 Conv1D) or, `transposed`, [N, K] (nn.Linear). */
export function linear(g: GraphBuilder, x: string, w: string, b: string | null, transposed: boolean): string {
  const wt = transposed ? g.node('Transpose', [w], attr.ints('perm', [1, 0])) : w;
  const y = g.node('MatMul', [x, wt]);
  return b ? g.node('Add', [y, b]) : y;
}

export function layerNorm(g: GraphBuilder, x: string, gamma: string, beta: string, eps: number): string {
  return g.node('LayerNormalization', [x, gamma, beta], attr.int('axis', -1), attr.float('epsilon', eps));
}

export function activation(g: GraphBuilder, name: HfActivation, x: string): string {
  switch (name) {
    case 'gelu_new':
    case 'gelu_fast':
    case 'gelu_pytorch_tanh':
      return emitGelu(g, x);
    case 'gelu':
      return g.node('Gelu', [x]);
    case 'quick_gelu':
      return g.node('Mul', [x, g.node('Sigmoid', [g.node('Mul', [x, g.scalar('float', 1.702)])])]);
    case 'relu':
      return g.node('Relu', [x]);
    case 'silu':
    case 'swish':
      return g.node('Mul', [x, g.node('Sigmoid', [x])]);
    case 'tanh':
      return g.node('Tanh', [x]);
    default:
      throw new CaptuneError(`ONNX export: activation "${String(name)}" is not supported`);
  }
}

/** [B, T, H·D] → [B, H, T, D] */
export function splitHeads(g: GraphBuilder, x: string, heads: number, headDim: number): string {
  const r = g.node('Reshape', [x, g.int64s([0, 0, heads, headDim])]); // [B, T, H, D]
  return g.node('Transpose', [r], attr.ints('perm', [0, 2, 1, 3])); // [B, H, T, D]
}

/** [B, H, T, D] → [B, T, H·D] */
export function mergeHeads(g: GraphBuilder, x: string, hidden: number): string {
  const t = g.node('Transpose', [x], attr.ints('perm', [0, 2, 1, 3])); // [B, T, H, D]
  return g.node('Reshape', [t, g.int64s([0, 0, hidden])]); // [B, T, C]
}

/** softmax(q·kᵀ·scale + mask)·v: q [B, H, T, D], k/v [B, H, L, D], mask broadcastable to [B, H, T, L]. */
export function attention(g: GraphBuilder, q: string, k: string, v: string, mask: string | null, scale: number): string {
  const kt = g.node('Transpose', [k], attr.ints('perm', [0, 1, 3, 2])); // [B, H, D, L]
  let s = g.node('Mul', [g.node('MatMul', [q, kt]), g.scalar('float', scale)]); // [B, H, T, L]
  if (mask) s = g.node('Add', [s, mask]);
  return g.node('MatMul', [g.node('Softmax', [s], attr.int('axis', -1)), v]); // [B, H, T, D]
}

/** Dimension `axis` of `x` as an int64 [1] tensor. */
export function dim(g: GraphBuilder, x: string, axis: number): string {
  return g.node('Gather', [g.node('Shape', [x]), g.int64s([axis])], attr.int('axis', 0));
}

/** float 0/1 mask from a bool condition: MASKED where `cond`, else 0 (core's `MASKED` = -1e9). */
export function maskWhere(g: GraphBuilder, cond: string): string {
  return g.node('Where', [cond, g.scalar('float', -1e9), g.scalar('float', 0)]);
}

/** bool [T, L]: key j is after query i (j > i + offset), where offset = L − T (cached positions). */
export function causalAbove(g: GraphBuilder, t: string, l: string): string {
  const toScalar = (x: string) => g.node('Squeeze', [x, g.int64s([0])]);
  const T = toScalar(t);
  const L = toScalar(l);
  const one = g.scalar('int64', 1);
  const P = g.node('Sub', [L, T]);
  const rows = g.node('Unsqueeze', [g.node('Range', [P, L, one]), g.int64s([1])]); // [T, 1] absolute query positions
  const cols = g.node('Unsqueeze', [g.node('Range', [g.scalar('int64', 0), L, one]), g.int64s([0])]); // [1, L]
  return g.node('Greater', [cols, rows]); // [T, L]
}

export const TO_FLOAT = attr.int('to', OnnxDataType.float);
export const TO_INT64 = attr.int('to', OnnxDataType.int64);
export const TO_BOOL = attr.int('to', OnnxDataType.bool);
