/**
 * The op contract: what a compute backend implements.
 *
 * Core's `Engine` (engine/engine.ts) checks arguments and computes every output shape
 * before calling a kernel, so a kernel receives validated inputs (`TensorRef`: handle,
 * shape, dtype) and the output's shape and dtype (`OutSpec`). Kernels never read data back
 * to the host; only `read` does, and it is async. This lets an eager backend (tfjs, WebGPU)
 * run each kernel as it comes and a recording backend (ONNX) append a graph node and run
 * the graph when something is read.
 *
 * Gradients are not a backend's business: core defines them from these same kernels.
 */
import type { DType, HostData } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';

declare const handleBrand: unique symbol;
/** A backend's own tensor object (tf.Tensor, GPUBuffer wrapper, graph value, …), opaque to core. */
export interface Handle {
  readonly [handleBrand]?: true;
}

export interface TensorRef {
  readonly handle: Handle;
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface OutSpec {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Elementwise unary ops. `gelu` is the tanh approximation (GPT-2's `gelu_new`). */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'tanh'
  | 'sigmoid'
  | 'abs'
  | 'relu'
  | 'erf'
  | 'gelu';

export const UNARY_OPS: readonly UnaryOp[] = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'tanh',
  'sigmoid',
  'abs',
  'relu',
  'erf',
  'gelu',
];

/**
 * Elementwise binary ops with NumPy broadcasting. Arithmetic keeps the inputs' dtype
 * (both inputs have the same dtype; int32 `div` truncates toward zero is NOT promised:
 * core only divides floats). Comparisons return float32 0/1.
 */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'pow' | ComparisonOp;
export type ComparisonOp = 'greater' | 'greaterEqual' | 'less' | 'equal';

export const BINARY_OPS: readonly BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'pow',
  'greater',
  'greaterEqual',
  'less',
  'equal',
];

export function isComparison(op: BinaryOp): op is ComparisonOp {
  return op === 'greater' || op === 'greaterEqual' || op === 'less' || op === 'equal';
}

export interface MatmulOptions {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/**
 * The kernels. Shapes in comments: `out` is always given and already checked by core.
 * All reductions and normalisations here take explicit, non-negative, sorted axes.
 */
export interface Kernels {
  /** A tensor filled with host data (row-major). `data.length === sizeOf(shape)`. */
  upload(data: HostData, out: OutSpec): Handle;
  /** A tensor filled with one value. */
  fill(value: number, out: OutSpec): Handle;
  unary(op: UnaryOp, x: TensorRef, out: OutSpec): Handle;
  binary(op: BinaryOp, a: TensorRef, b: TensorRef, out: OutSpec): Handle;
  /** cond (float32, nonzero = true) ? a : b, with broadcasting of all three. */
  where(cond: TensorRef, a: TensorRef, b: TensorRef, out: OutSpec): Handle;
  /** float32 ↔ int32 (float → int truncates toward zero). */
  cast(x: TensorRef, out: OutSpec): Handle;
  /** [..., M, K] × [..., K, N] → [..., M, N] (batch dims broadcast; transposes apply to the last two). */
  matmul(a: TensorRef, b: TensorRef, options: MatmulOptions, out: OutSpec): Handle;
  /** Sum over `axes`; `out.shape` drops them. */
  sum(x: TensorRef, axes: readonly number[], out: OutSpec): Handle;
  /** Max over `axes`; `out.shape` drops them. */
  max(x: TensorRef, axes: readonly number[], out: OutSpec): Handle;
  /** Index of the first maximum along `axis`; int32; `out.shape` drops the axis. */
  argmax(x: TensorRef, axis: number, out: OutSpec): Handle;
  /** Largest k along the last axis, sorted descending, ties by lower index. */
  topk(x: TensorRef, k: number, outValues: OutSpec, outIndices: OutSpec): [Handle, Handle];
  /** Softmax along the last axis. */
  softmax(x: TensorRef, out: OutSpec): Handle;
  /** Log-softmax along the last axis. */
  logSoftmax(x: TensorRef, out: OutSpec): Handle;
  /** (x − mean) / sqrt(var + eps) · gamma + beta over the last axis (biased variance). */
  layerNorm(x: TensorRef, gamma: TensorRef, beta: TensorRef, eps: number, out: OutSpec): Handle;
  reshape(x: TensorRef, out: OutSpec): Handle;
  transpose(x: TensorRef, perm: readonly number[], out: OutSpec): Handle;
  slice(x: TensorRef, begin: readonly number[], size: readonly number[], out: OutSpec): Handle;
  concat(xs: readonly TensorRef[], axis: number, out: OutSpec): Handle;
  /** Constant padding: `paddings[i] = [before, after]` for axis i. */
  pad(x: TensorRef, paddings: readonly (readonly [number, number])[], value: number, out: OutSpec): Handle;
  broadcastTo(x: TensorRef, out: OutSpec): Handle;
  /** Rows of x along axis 0: x [R, ...rest], indices int32 [...I] → [...I, ...rest]. Indices are in range. */
  gather(x: TensorRef, indices: TensorRef, out: OutSpec): Handle;
  /** Inverse of gather: zeros [R, ...rest] with updates [...I, ...rest] added at rows `indices` [...I]. */
  scatterAdd(updates: TensorRef, indices: TensorRef, out: OutSpec): Handle;
  /** indices int32 [...I] → float32 [...I, depth]; out-of-range indices give a zero row. */
  oneHot(indices: TensorRef, depth: number, out: OutSpec): Handle;
}

/**
 * Optional fused kernels that core asks for by name and falls back from (to the plain
 * kernels) when absent. Core only uses them on paths that need no gradient.
 */
export interface FusedKernels {
  /**
   * Scaled dot-product attention. q [B, H, Tq, D], k/v [B, H, Tk, D], additive mask
   * broadcastable to [B, H, Tq, Tk] or null → [B, H, Tq, D].
   */
  attention?(
    q: TensorRef,
    k: TensorRef,
    v: TensorRef,
    mask: TensorRef | null,
    scale: number,
    out: OutSpec,
  ): Handle;
  /** gelu(x·w + b): x [..., K], w [K, N], b [N] → [..., N]. */
  matmulBiasGelu?(x: TensorRef, w: TensorRef, b: TensorRef, out: OutSpec): Handle;
}

export type DeviceName = 'cpu' | 'wasm' | 'node' | 'cuda' | 'webgpu';
export type DeviceRequest = DeviceName | 'auto';
export type BackendName = 'tfjs' | 'onnx' | 'webgpu' | 'reference';

export interface MemoryInfo {
  /** Bytes held by live tensors on the device, when the backend can tell. */
  readonly bytes?: number;
  readonly tensors?: number;
}

export interface Backend extends Kernels {
  readonly name: BackendName | (string & {});
  readonly device: DeviceName | (string & {});
  /** Dtypes this backend supports (float32 and int32 at least). */
  readonly dtypes: readonly DType[];
  readonly fused: FusedKernels;
  /** Copies a tensor's data to the host. The only read-back in the contract. */
  read(x: TensorRef): Promise<HostData>;
  /** Frees a tensor. Core calls it exactly once per handle. */
  dispose(handle: Handle): void;
  /** Waits until queued work is done (eager GPU backends, recording backends). */
  flush(): Promise<void>;
  /**
   * Optional hint: `handle` holds frozen weights (a non-trainable variable), read many times and
   * never written — a variable's storage is only ever replaced, by another handle. A recording
   * backend may compile it into its graphs as a constant (the onnx backend pre-packs it).
   */
  markFrozen?(handle: Handle): void;
  memory(): MemoryInfo;
  /** Releases everything the backend holds. */
  close(): Promise<void>;
}
