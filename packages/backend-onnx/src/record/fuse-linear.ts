/**
 * core's `linear` (engine nn-ops.ts) of a [..., K] input records three kernels: reshape to
 * [N, K], a 2-D matmul (with `+ bias [M]`, fused into a Gemm by fuse-records.ts), reshape back
 * to [..., M]. ORT's CPU MatMul takes the [..., K] input as it is (with a 2-D weight it folds
 * the leading axes into one GEMM, and pre-packs a constant weight as Gemm does), so without a
 * bias the three nodes become one MatMul (com.microsoft FusedMatMul with transB for x·wᵀ). A
 * bias stays in the Gemm unless the linear's consumer absorbs it:
 * - gelu(linear) (GPT-2's gelu_new, tanh approximation) → MatMul + com.microsoft FastGelu with
 *   its bias input (contrib_ops/cpu/bert/bias_gelu.cc: gelu(x + bias) in one pass);
 * - attention over q, k, v split from one linear → MultiHeadAttention's bias input
 *   (fuse-attention.ts).
 */
import { attr, type GraphBuilder } from '../graph/graph-builder.js';
import { MS_DOMAIN, type KernelEmitter } from './kernel-emitters.js';
import type { GraphValue, OpRecord } from './graph-value.js';
import type { FusionBatch } from './fusion-batch.js';

/** x [..., K] · w [K, M] (or wᵀ, w [M, K]) → [..., M]. */
export function emitLinearProduct(g: GraphBuilder, x: string, w: string, transposeB: boolean): string {
  if (!transposeB) return g.node('MatMul', [x, w]);
  return g.nodeN('FusedMatMul', [x, w], [attr.int('transB', 1)], { domain: MS_DOMAIN })[0]!;
}

/**
 * Up to this many rows, a biased linear is MatMul + Add instead of Flatten + Gemm + Reshape:
 * one kernel fewer, and for one row ORT's MatMul is a little faster than its Gemm (bare ORT,
 * 12 chained [1, 768] × [768, 768] + bias with pre-packed weights: 93–137 µs vs 110–157 µs a
 * layer). With many rows the Gemm saves the Add's pass over [N, M].
 */
export const FEW_ROWS = 64;

/**
 * x [..., K] · w (+ bias [M]) → `out` [..., M]; the weight is input 1 (pre-packed when a
 * constant). Without a bias: one MatMul. With a bias no consumer absorbed: MatMul + Add for
 * up to `FEW_ROWS` rows (decoding steps), else the Gemm core's records make (it accumulates onto
 * the bias, where MatMul + Add would take another pass over the output), between a Flatten and
 * a Reshape.
 */
export function linearEmitter(transposeB: boolean, bias: boolean, out: readonly number[]): KernelEmitter {
  return {
    key: `linear:${transposeB ? 1 : 0}${bias ? 1 : 0}${bias ? `:${out.join(',')}` : ''}`,
    emit: (g: GraphBuilder, [x, w, b]) => {
      if (!bias) return [emitLinearProduct(g, x!, w!, transposeB)];
      const rows = out.slice(0, -1).reduce((n, d) => n * d, 1);
      if (rows <= FEW_ROWS) return [g.node('Add', [emitLinearProduct(g, x!, w!, transposeB), b!])];
      const flat = g.node('Flatten', [x!], attr.int('axis', out.length - 1)); // [N, K]
      const y = g.node('Gemm', [flat, w!, b!], attr.int('transB', transposeB ? 1 : 0)); // [N, M]
      return [g.node('Reshape', [y, g.int64s(out)])];
    },
  };
}

/** gelu_tanh(x · w + bias) as MatMul + com.microsoft FastGelu(·, bias). */
export function linearFastGeluEmitter(transposeB: boolean): KernelEmitter {
  return {
    key: `linearFastGelu:${transposeB ? 1 : 0}`,
    emit: (g: GraphBuilder, [x, w, b]) => g.nodeN('FastGelu', [emitLinearProduct(g, x!, w!, transposeB), b!], [], { domain: MS_DOMAIN }),
  };
}

/** A fused linear with a bias computing `v`, which only its one reader needs: its parts. */
export interface BiasedLinear {
  readonly record: OpRecord;
  readonly x: GraphValue;
  readonly w: GraphValue;
  readonly bias: GraphValue;
  readonly transposeB: boolean;
}

export function biasedLinearOf(batch: FusionBatch, v: GraphValue): BiasedLinear | null {
  const r = batch.producerWithPrefix(v, 'linear:');
  const key = r?.emitter.key;
  if (!r || !(key!.startsWith('linear:01:') || key!.startsWith('linear:11:')) || !batch.dropable(v)) return null;
  const [x, w, bias] = r.inputs as [GraphValue, GraphValue, GraphValue];
  return { record: r, x, w, bias, transposeB: key!.startsWith('linear:11:') };
}

const PRODUCT_2D = /^(?:gemmBias:0([01])|matmul:0([01]):float32\/2;float32\/2)$/;

/**
 * `r` a reshape [N, M] → [..., M] of a 2-D product (Gemm with bias, or matmul) of a reshape
 * [..., K] → [N, K] with the same leading axes: one linear record at `r`'s place. Both
 * intermediates are disposed and read once.
 */
export function fuseLinear(batch: FusionBatch, r: OpRecord): void {
  if (!r.emitter.key.startsWith('reshape:float32/2>')) return;
  const y = r.inputs[0]!;
  const out = r.outputs[0]!.shape;
  const product = batch.producer(y);
  const m = product ? PRODUCT_2D.exec(product.emitter.key) : null;
  if (!product || !m || !batch.dropable(y)) return;
  const [a, w, bias] = product.inputs as [GraphValue, GraphValue, GraphValue | undefined];
  const flatten = batch.producerWithPrefix(a, 'reshape:float32/');
  if (!flatten || !batch.dropable(a)) return;
  const x = flatten.inputs[0]!;
  const lead = x.shape.slice(0, -1);
  if (x.shape.length < 2 || out.length !== x.shape.length || lead.some((d, i) => d !== out[i]) || x.shape[x.shape.length - 1] !== a.shape[1]) return;
  const transposeB = (m[1] ?? m[2]) === '1';
  batch.fuse(r, linearEmitter(transposeB, bias !== undefined, out), bias ? [x, w, bias] : [x, w], r.outputs, [product, flatten]);
}

/** `r` the tanh gelu of a biased linear read by it alone: MatMul + FastGelu at `r`'s place. */
export function fuseFastGelu(batch: FusionBatch, r: OpRecord): void {
  if (!r.emitter.key.startsWith('unary:gelu:float32/')) return;
  const lin = biasedLinearOf(batch, r.inputs[0]!);
  if (!lin) return;
  batch.fuse(r, linearFastGeluEmitter(lin.transposeB), [lin.x, lin.w, lin.bias], r.outputs, [lin.record]);
}
