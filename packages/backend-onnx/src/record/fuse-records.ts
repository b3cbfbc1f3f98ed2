/**
 * Peephole fusion of a batch of records before it is compiled (onnx-backend.ts `runPending`):
 * - a 2-D matmul whose only use is `+ bias [N]` becomes one Gemm with the bias as its C input
 *   (ONNX Gemm: Y = op(A)·op(B) + C; ORT's CPU Gemm writes C into Y and accumulates onto it,
 *   no separate pass over [M, N]);
 * - x·sigmoid(α·x) (CLIP's quick_gelu, core nn-ops.ts `quickGelu`) becomes onnxruntime's
 *   com.microsoft `QuickGelu` (contrib_ops/cpu/activations.h: one vectorised pass), since the
 *   α that core feeds is a graph input ORT's own QuickGeluFusion cannot see as a constant.
 * - a − oneHot(labels) over [N, V] (core's softmax-cross-entropy gradient) becomes one
 *   ScatterElements adding −1 at each row's label (reduction="add"), instead of materialising
 *   Equal [N, V] bool, its Cast to float and a Sub over [N, V]; out-of-range labels (a zero
 *   one-hot row) add 0 at column 0;
 * and, in their own files, the transformer fusions that take a GPT-2 decoding step from ~33 to
 * 13 nodes a layer: core's linear as MatMul (+ Add or FastGelu) (fuse-linear.ts), q/k/v slices
 * as one Split (fuse-split.ts), the attention block with its KV cache as MultiHeadAttention
 * (fuse-attention.ts). (Slice gradients need no rule: core's autodiff joins the gradients of
 * slices that tile a value with one concat. Residual add + layer norm stay two kernels: ORT's
 * SkipLayerNormalization is slower than Add + LayerNormalization, README "No
 * SkipLayerNormalization".) Rules run slot by slot in call order (fusion-batch.ts), so a rule
 * sees what earlier rules fused.
 * An intermediate is fused away only when core has disposed it and the batch reads it once, so
 * the fused graph computes every value anyone can still read. The records returned are new;
 * the originals (and their consumer counts) are untouched, for the caller's bookkeeping.
 */
import { attr, type GraphBuilder } from '../graph/graph-builder.js';
import { MS_DOMAIN, type KernelEmitter } from './kernel-emitters.js';
import { OnnxDataType } from '../proto/onnx-model.js';
import type { GraphValue, OpRecord } from './graph-value.js';
import { FusionBatch } from './fusion-batch.js';
import { fuseMultiHeadAttention } from './fuse-attention.js';
import { fuseSplit } from './fuse-split.js';
import { fuseFastGelu, fuseLinear } from './fuse-linear.js';

/** Y [M, N] = op(A)·op(B) + bias [N] (Gemm with C). */
export function gemmBiasEmitter(transposeA: boolean, transposeB: boolean): KernelEmitter {
  return {
    key: `gemmBias:${transposeA ? 1 : 0}${transposeB ? 1 : 0}`,
    emit: (g: GraphBuilder, [a, b, c]) => [
      g.node('Gemm', [a!, b!, c!], attr.int('transA', transposeA ? 1 : 0), attr.int('transB', transposeB ? 1 : 0)),
    ],
  };
}

/** x·sigmoid(α·x) as com.microsoft QuickGelu. */
export function quickGeluEmitter(alpha: number, rank: number): KernelEmitter {
  return {
    key: `quickGelu:${alpha}:${rank}`,
    emit: (g: GraphBuilder, [x]) => g.nodeN('QuickGelu', [x!], [attr.float('alpha', alpha)], { domain: MS_DOMAIN }),
  };
}

/** a [N, V] − oneHot(labels [N], V) as ScatterElements(a, labels, −1, reduction="add"). */
export function subOneHotEmitter(depth: number): KernelEmitter {
  return {
    key: `subOneHot:${depth}`,
    emit: (g: GraphBuilder, [a, labels]) => {
      const i = labels!;
      const valid = g.node('And', [g.node('GreaterOrEqual', [i, g.scalar('int32', 0)]), g.node('Less', [i, g.scalar('int32', depth)])]); // [N]
      const idx = g.node('Cast', [g.node('Where', [valid, i, g.scalar('int32', 0)])], attr.int('to', OnnxDataType.int64)); // [N]
      const upd = g.node('Where', [valid, g.scalar('float', -1), g.scalar('float', 0)]); // [N]
      const axis = g.int64s([1]);
      return [
        g.node('ScatterElements', [a!, g.node('Unsqueeze', [idx, axis]), g.node('Unsqueeze', [upd, axis])], attr.int('axis', 1), attr.string('reduction', 'add')),
      ];
    },
  };
}

const MATMUL_2D = /^matmul:([01])([01]):float32\/2;float32\/2$/;

/** A materialised float scalar's value, else null. */
function scalarValue(v: GraphValue): number | null {
  if (v.shape.length !== 0 || v.dtype !== 'float32' || !v.tensor) return null;
  return (v.tensor.data as Float32Array)[0]!;
}

/** y [M, N] + bias [N] where y = matmul(a, b) is fused away: one Gemm with C. */
function fuseGemmBias(batch: FusionBatch, r: OpRecord): void {
  const key = r.emitter.key;
  if (key !== 'binary:add:float32/2;float32/1' && key !== 'binary:add:float32/1;float32/2') return;
  const [y, bias] = key.endsWith('/1') ? [r.inputs[0]!, r.inputs[1]!] : [r.inputs[1]!, r.inputs[0]!];
  const mm = batch.producer(y);
  const m = mm ? MATMUL_2D.exec(mm.emitter.key) : null;
  if (!mm || !m || !batch.dropable(y) || bias.shape[0] !== y.shape[1]) return;
  batch.fuse(r, gemmBiasEmitter(m[1] === '1', m[2] === '1'), [mm.inputs[0]!, mm.inputs[1]!, bias], r.outputs, [mm]);
}

/** a [N, V] − oneHot(labels [N], V) where the one-hot is fused away: one ScatterElements. */
function fuseSubOneHot(batch: FusionBatch, r: OpRecord): void {
  if (r.emitter.key !== 'binary:sub:float32/2;float32/2') return;
  const [a, oh] = r.inputs as [GraphValue, GraphValue];
  const src = batch.producer(oh);
  const m = src ? /^oneHot:(\d+):int32\/1$/.exec(src.emitter.key) : null;
  if (!src || !m || !batch.dropable(oh) || a.shape[0] !== oh.shape[0] || a.shape[1] !== oh.shape[1]) return;
  batch.fuse(r, subOneHotEmitter(Number(m[1])), [a, src.inputs[0]!], r.outputs, [src]);
}

/** x · sigmoid(α·x), the sigmoid on either side, with α a materialised scalar: one QuickGelu. */
function fuseQuickGelu(batch: FusionBatch, r: OpRecord): void {
  if (!r.emitter.key.startsWith('binary:mul:') || !/^binary:mul:float32\/(\d+);float32\/\1$/.test(r.emitter.key)) return;
  for (const [x, s] of [[r.inputs[0]!, r.inputs[1]!], [r.inputs[1]!, r.inputs[0]!]] as const) {
    const sig = batch.producerWithKey(s, `unary:sigmoid:float32/${x.shape.length}`);
    if (!sig || !batch.dropable(s)) continue;
    const scaled = sig.inputs[0]!;
    const mul = batch.producerWithKey(scaled, `binary:mul:float32/${x.shape.length};float32/0`);
    if (!mul || !batch.dropable(scaled)) continue;
    const alpha = mul.inputs[0] === x ? scalarValue(mul.inputs[1]!) : null;
    if (alpha === null) continue;
    batch.fuse(r, quickGeluEmitter(alpha, x.shape.length), [x], r.outputs, [sig, mul]);
    return;
  }
}

/** The rules, tried in this order on each slot of the batch, in call order. */
const RULES: readonly ((batch: FusionBatch, r: OpRecord) => void)[] = [
  fuseGemmBias,
  fuseSubOneHot,
  fuseQuickGelu,
  fuseLinear,
  fuseFastGelu,
  fuseSplit,
  fuseMultiHeadAttention,
];

/** The batch with every fusion applied; `records` itself is not modified. */
export function fuseRecords(records: readonly OpRecord[]): OpRecord[] {
  const batch = new FusionBatch(records);
  for (let i = 0; i < batch.length; i++) {
    for (const rule of RULES) {
      const r = batch.at(i);
      if (!r) break;
      rule(batch, r);
    }
  }
  return batch.result();
}
