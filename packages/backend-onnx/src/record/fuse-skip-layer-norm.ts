/**
 * A residual add followed by a layer norm — `layerNorm(a + b, γ, β)`, a and b [..., C] of one
 * shape, γ and β [C] — as one onnxruntime com.microsoft `SkipLayerNormalization`
 * (contrib_ops/cpu/skip_layer_norm.cc): the sum and the normalisation in one pass over each
 * row, with the sum as its optional output (index 3) when something else still reads it (the
 * transformer's residual stream). The CPU kernel sums in float and normalises with the same
 * formula as ORT's LayerNormalization kernel (mean and mean of squares, then
 * (x − mean) / √(E[x²] − mean² + ε) · γ + β).
 */
import { attr, type GraphBuilder } from '../graph/graph-builder.js';
import { MS_DOMAIN, type KernelEmitter } from './kernel-emitters.js';
import type { GraphValue, OpRecord } from './graph-value.js';
import type { FusionBatch } from './fusion-batch.js';
import { biasedLinearOf, emitLinearProduct } from './fuse-linear.js';

const LAYER_NORM = /^layerNorm:([^:]+):float32\/([23]);float32\/1;float32\/1$/;

/**
 * layerNorm(a + b) (inputs a, b, γ, β) or, with `linear`, layerNorm(x·w + bias + skip) (inputs x,
 * w, bias, skip, γ, β: the MatMul of a fused linear, its bias as SkipLayerNormalization's bias
 * input), and the sum as a second output when `withSum`.
 */
export function skipLayerNormEmitter(eps: number, withSum: boolean, linear: { readonly transposeB: boolean } | null): KernelEmitter {
  return {
    key: `skipLayerNorm:${eps}:${withSum ? 1 : 0}:${linear ? (linear.transposeB ? 'linearT' : 'linear') : ''}`,
    emit: (g: GraphBuilder, ins) => {
      const inputs = linear ? [emitLinearProduct(g, ins[0]!, ins[1]!, linear.transposeB), ins[3]!, ins[4]!, ins[5]!, ins[2]!] : ins;
      const out = g.fresh();
      const sum = withSum ? g.fresh() : '';
      g.nodes.push({
        opType: 'SkipLayerNormalization',
        inputs, // input, skip, γ, β, bias
        outputs: withSum ? [out, '', '', sum] : [out], // normalised, mean and 1/σ (not asked for), the sum
        attributes: [attr.float('epsilon', eps)],
        domain: MS_DOMAIN,
      });
      return withSum ? [out, sum] : [out];
    },
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * `r` a layer norm over the last axis of a rank-2 or rank-3 `y = a + b` (no broadcasting)
 * computed in this batch: the add and the norm become one SkipLayerNormalization, which also
 * yields y unless y is fused away. When a or b
 * is a fused linear with a bias (read by the add alone), its MatMul feeds the node and its bias
 * becomes the node's bias input: the kernel adds (x·w + skip) + bias, where the unfused graph
 * adds (x·w + bias) + skip — equal up to float rounding.
 */
export function fuseSkipLayerNorm(batch: FusionBatch, r: OpRecord): void {
  if (!r.emitter.key.startsWith('layerNorm:')) return;
  const m = LAYER_NORM.exec(r.emitter.key);
  if (!m) return;
  const [y, gamma, beta] = r.inputs as [GraphValue, GraphValue, GraphValue];
  const add = batch.producerWithKey(y, `binary:add:float32/${m[2]};float32/${m[2]}`);
  if (!add) return;
  const [a, b] = add.inputs as [GraphValue, GraphValue];
  if (!sameShape(a.shape, y.shape) || !sameShape(b.shape, y.shape) || gamma.shape[0] !== y.shape[y.shape.length - 1]) return;
  // The node takes the add's place when γ and β are ready there, else the norm's place when
  // nothing between the two reads the sum.
  const atAdd = batch.readyBefore(gamma, add) && batch.readyBefore(beta, add);
  if (!atAdd && !batch.readersOf(y).every((u) => u === r || batch.before(r, u))) return;
  const [place, other] = atAdd ? [add, r] : [r, add];
  const withSum = !batch.dropable(y);
  const outputs = withSum ? [r.outputs[0]!, y] : [r.outputs[0]!];
  const eps = Number(m[1]);
  // A biased linear on either side (read by the add alone) gives its MatMul and its bias.
  const lin = a !== b ? (biasedLinearOf(batch, b) ?? biasedLinearOf(batch, a)) : null;
  if (lin) {
    const skip = lin.record.outputs[0] === b ? a : b;
    const emitter = skipLayerNormEmitter(eps, withSum, { transposeB: lin.transposeB });
    batch.fuse(place, emitter, [lin.x, lin.w, lin.bias, skip, gamma, beta], outputs, [other, lin.record]);
    return;
  }
  batch.fuse(place, skipLayerNormEmitter(eps, withSum, null), [a, b, gamma, beta], outputs, [other]);
}
