/**
 * Each kernel of core's op contract (core backend/backend.ts) as standard ONNX ops (opset 20):
 * a structural key and an `emit` that appends the nodes to a graph. The key holds everything
 * the emitted nodes depend on — op, attributes, constants (reshape targets, slice bounds, …),
 * input dtypes and ranks — and NOT the input dimensions: the nodes never depend on them, so a
 * graph compiled once with symbolic input dimensions serves every call with the same key (a
 * decoding step whose KV cache grew by one position reuses the previous step's session). Semantics follow the ONNX operator specs; where
 * ONNX differs from the contract the difference is handled here (Cast of comparison results
 * to float, int64 indices cast back to int32, OneHot's wrapping of negative indices avoided).
 */
import { isComparison, type BinaryOp, type DType, type MatmulOptions, type OutSpec, type UnaryOp } from '@captune/core';
import { attr, type GraphBuilder } from '../graph/graph-builder.js';
import { OnnxDataType, type OnnxElemType } from '../proto/onnx-model.js';

/** onnxruntime's contrib operator domain (fused kernels: QuickGelu, FastGelu, FusedMatMul, MultiHeadAttention). */
export const MS_DOMAIN = 'com.microsoft';

export interface KernelEmitter {
  /** Structural key: equal keys emit equal nodes for equally shaped inputs. */
  readonly key: string;
  /** Appends the nodes; `ins` are the input value names; returns the output value names. */
  readonly emit: (g: GraphBuilder, ins: readonly string[]) => string[];
}

/** Shape and dtype of an input, as the kernel saw it. */
export interface Operand {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export function elemType(dtype: DType): OnnxElemType {
  return dtype === 'int32' ? 'int32' : 'float';
}

const TO_FLOAT = attr.int('to', OnnxDataType.float);
const TO_INT32 = attr.int('to', OnnxDataType.int32);
const TO_INT64 = attr.int('to', OnnxDataType.int64);
const TO_BOOL = attr.int('to', OnnxDataType.bool);

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Dtypes and ranks (never dimensions: see above). */
const sig = (xs: readonly Operand[]): string => {
  let out = '';
  for (let i = 0; i < xs.length; i++) out += `${i > 0 ? ';' : ''}${xs[i]!.dtype}/${xs[i]!.shape.length}`;
  return out;
};

function one(key: string, emit: (g: GraphBuilder, ins: readonly string[]) => string): KernelEmitter {
  return { key, emit: (g, ins) => [emit(g, ins)] };
}

/** gelu, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (ONNX Gelu, approximate="tanh"). */
export function emitGelu(g: GraphBuilder, x: string): string {
  return g.node('Gelu', [x], attr.string('approximate', 'tanh'));
}

/** The same formula composed from primitive ops (kept for runtimes without opset 20 Gelu). */
export function emitGeluComposed(g: GraphBuilder, x: string): string {
  const x3 = g.node('Mul', [g.node('Mul', [x, x]), x]);
  const inner = g.node('Mul', [g.node('Add', [x, g.node('Mul', [x3, g.scalar('float', 0.044715)])]), g.scalar('float', SQRT_2_OVER_PI)]);
  const t = g.node('Tanh', [inner]);
  return g.node('Mul', [g.node('Mul', [x, g.scalar('float', 0.5)]), g.node('Add', [t, g.scalar('float', 1)])]);
}

const UNARY: Record<UnaryOp, (g: GraphBuilder, x: string) => string> = {
  neg: (g, x) => g.node('Neg', [x]),
  exp: (g, x) => g.node('Exp', [x]),
  log: (g, x) => g.node('Log', [x]),
  sqrt: (g, x) => g.node('Sqrt', [x]),
  rsqrt: (g, x) => g.node('Reciprocal', [g.node('Sqrt', [x])]),
  tanh: (g, x) => g.node('Tanh', [x]),
  sigmoid: (g, x) => g.node('Sigmoid', [x]),
  abs: (g, x) => g.node('Abs', [x]),
  relu: (g, x) => g.node('Relu', [x]),
  erf: (g, x) => g.node('Erf', [x]),
  gelu: (g, x) => emitGelu(g, x),
};

const BINARY: Record<BinaryOp, string> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  maximum: 'Max',
  minimum: 'Min',
  pow: 'Pow',
  greater: 'Greater',
  greaterEqual: 'GreaterOrEqual',
  less: 'Less',
  equal: 'Equal',
};

export function unaryEmitter(op: UnaryOp, x: Operand): KernelEmitter {
  return one(`unary:${op}:${sig([x])}`, (g, [a]) => UNARY[op](g, a!));
}

export function binaryEmitter(op: BinaryOp, a: Operand, b: Operand): KernelEmitter {
  const onnxOp = BINARY[op];
  const cmp = isComparison(op);
  return one(`binary:${op}:${sig([a, b])}`, (g, [x, y]) => {
    const r = g.node(onnxOp, [x!, y!]);
    return cmp ? g.node('Cast', [r], TO_FLOAT) : r;
  });
}

export function whereEmitter(c: Operand, a: Operand, b: Operand): KernelEmitter {
  return one(`where:${sig([c, a, b])}`, (g, [cond, x, y]) => g.node('Where', [g.node('Cast', [cond!], TO_BOOL), x!, y!]));
}

export function castEmitter(x: Operand, out: OutSpec): KernelEmitter {
  return one(`cast:${sig([x])}>${out.dtype}`, (g, [a]) => g.node('Cast', [a!], out.dtype === 'int32' ? TO_INT32 : TO_FLOAT));
}

/** Swaps the last two axes. */
function transposeLast2(g: GraphBuilder, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return g.node('Transpose', [x], attr.ints('perm', perm));
}

/** [..., M, K] × [..., K, N]: Gemm for 2-D operands (transposes as attributes), else MatMul. */
export function emitMatmul(g: GraphBuilder, a: string, aRank: number, b: string, bRank: number, o: MatmulOptions): string {
  if (aRank === 2 && bRank === 2) {
    return g.node('Gemm', [a, b], attr.int('transA', o.transposeA ? 1 : 0), attr.int('transB', o.transposeB ? 1 : 0));
  }
  const x = o.transposeA ? transposeLast2(g, a, aRank) : a;
  const y = o.transposeB ? transposeLast2(g, b, bRank) : b;
  return g.node('MatMul', [x, y]);
}

export function matmulEmitter(a: Operand, b: Operand, o: MatmulOptions): KernelEmitter {
  return one(`matmul:${o.transposeA ? 1 : 0}${o.transposeB ? 1 : 0}:${sig([a, b])}`, (g, [x, y]) =>
    emitMatmul(g, x!, a.shape.length, y!, b.shape.length, o),
  );
}

export function reduceEmitter(kind: 'sum' | 'max', x: Operand, axes: readonly number[]): KernelEmitter {
  return one(`${kind}:${axes.join(',')}:${sig([x])}`, (g, [a]) =>
    g.node(kind === 'sum' ? 'ReduceSum' : 'ReduceMax', [a!, g.int64s(axes)], attr.int('keepdims', 0)),
  );
}

export function argmaxEmitter(x: Operand, axis: number): KernelEmitter {
  return one(`argmax:${axis}:${sig([x])}`, (g, [a]) => {
    const i = g.node('ArgMax', [a!], attr.int('axis', axis), attr.int('keepdims', 0), attr.int('select_last_index', 0));
    return g.node('Cast', [i], TO_INT32);
  });
}

export function topkEmitter(x: Operand, k: number): KernelEmitter {
  return {
    key: `topk:${k}:${sig([x])}`,
    emit: (g, [a]) => {
      const [values, indices] = g.nodeN('TopK', [a!, g.int64s([k])], [attr.int('axis', -1), attr.int('largest', 1), attr.int('sorted', 1)], { outputs: 2 });
      return [values!, g.node('Cast', [indices!], TO_INT32)];
    },
  };
}

export function softmaxEmitter(log: boolean, x: Operand): KernelEmitter {
  return one(`${log ? 'logSoftmax' : 'softmax'}:${sig([x])}`, (g, [a]) => g.node(log ? 'LogSoftmax' : 'Softmax', [a!], attr.int('axis', -1)));
}

export function layerNormEmitter(x: Operand, gamma: Operand, beta: Operand, eps: number): KernelEmitter {
  return one(`layerNorm:${eps}:${sig([x, gamma, beta])}`, (g, [a, s, b]) =>
    g.node('LayerNormalization', [a!, s!, b!], attr.int('axis', -1), attr.float('epsilon', eps)),
  );
}

export function reshapeEmitter(x: Operand, out: OutSpec): KernelEmitter {
  return one(`reshape:${sig([x])}>${out.shape.join(',')}`, (g, [a]) => g.node('Reshape', [a!, g.int64s(out.shape)]));
}

export function transposeEmitter(x: Operand, perm: readonly number[]): KernelEmitter {
  return one(`transpose:${perm.join(',')}:${sig([x])}`, (g, [a]) => g.node('Transpose', [a!], attr.ints('perm', perm)));
}

export function sliceEmitter(x: Operand, begin: readonly number[], size: readonly number[]): KernelEmitter {
  const axes = begin.map((_, i) => i);
  return one(`slice:${begin.join(',')}:${size.join(',')}:${sig([x])}`, (g, [a]) =>
    g.node('Slice', [a!, g.int64s(begin), g.int64s(axes.map((i) => begin[i]! + size[i]!)), g.int64s(axes)]),
  );
}

export function concatEmitter(xs: readonly Operand[], axis: number): KernelEmitter {
  return one(`concat:${axis}:${sig(xs)}`, (g, ins) => g.node('Concat', ins, attr.int('axis', axis)));
}

export function padEmitter(x: Operand, paddings: readonly (readonly [number, number])[], value: number): KernelEmitter {
  const pads = [...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])];
  return one(`pad:${pads.join(',')}:${value}:${sig([x])}`, (g, [a]) =>
    g.node('Pad', [a!, g.int64s(pads), g.scalar(elemType(x.dtype), value)], attr.string('mode', 'constant')),
  );
}

export function expandEmitter(x: Operand, out: OutSpec): KernelEmitter {
  return one(`expand:${sig([x])}>${out.shape.join(',')}`, (g, [a]) => g.node('Expand', [a!, g.int64s(out.shape)]));
}

export function gatherEmitter(x: Operand, indices: Operand): KernelEmitter {
  return one(`gather:${sig([x, indices])}`, (g, [a, i]) => g.node('Gather', [a!, i!], attr.int('axis', 0)));
}

/** zeros [R, ...rest] with `updates` rows added at `indices` (ScatterND, reduction="add"). */
export function scatterAddEmitter(updates: Operand, indices: Operand, out: OutSpec): KernelEmitter {
  return one(`scatterAdd:${sig([updates, indices])}>${out.shape.join(',')}`, (g, [u, i]) => {
    const zeros = g.node('Expand', [g.scalar(elemType(out.dtype), 0), g.int64s(out.shape)]);
    const idx = g.node('Unsqueeze', [g.node('Cast', [i!], TO_INT64), g.int64s([-1])]); // [...I, 1]
    return g.node('ScatterND', [zeros, idx, u!], attr.string('reduction', 'add'));
  });
}

/** indices [...I] → float [...I, depth]; out-of-range indices (negative too) give a zero row. */
export function oneHotEmitter(indices: Operand, depth: number): KernelEmitter {
  return one(`oneHot:${depth}:${sig([indices])}`, (g, [i]) => {
    const range = g.node('Range', [g.scalar('int32', 0), g.scalar('int32', depth), g.scalar('int32', 1)]); // [depth]
    const eq = g.node('Equal', [g.node('Unsqueeze', [i!, g.int64s([-1])]), range]); // [...I, depth]
    return g.node('Cast', [eq], TO_FLOAT);
  });
}

/** softmax(q·kᵀ·scale + mask)·v, q [B, H, Tq, D], k/v [B, H, Tk, D]. */
export function attentionEmitter(q: Operand, k: Operand, v: Operand, mask: Operand | null, scale: number): KernelEmitter {
  return one(`attention:${scale}:${sig(mask ? [q, k, v, mask] : [q, k, v])}`, (g, [qn, kn, vn, mn]) => {
    let s = g.node('Mul', [emitMatmul(g, qn!, 4, kn!, 4, { transposeA: false, transposeB: true }), g.scalar('float', scale)]);
    if (mn) s = g.node('Add', [s, mn]);
    return g.node('MatMul', [g.node('Softmax', [s], attr.int('axis', -1)), vn!]);
  });
}

/** gelu(x·w + b), x [..., K], w [K, N], b [N]. */
export function matmulBiasGeluEmitter(x: Operand, w: Operand, b: Operand): KernelEmitter {
  return one(`matmulBiasGelu:${sig([x, w, b])}`, (g, [xn, wn, bn]) => emitGelu(g, g.node('Add', [g.node('MatMul', [xn!, wn!]), bn!])));
}
