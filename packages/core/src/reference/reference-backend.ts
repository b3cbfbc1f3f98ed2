/**
 * The reference backend: every kernel of the op contract (backend/backend.ts) in plain
 * TypeScript, written for clarity over speed. It is the ground truth of the conformance
 * suite: float32 tensors are stored and computed in float64 (`read` rounds to float32),
 * and `uploadF64` / `readF64` give tests exact float64 access for finite differences.
 */
import type {
  Backend,
  BinaryOp,
  FusedKernels,
  Handle,
  MatmulOptions,
  MemoryInfo,
  OutSpec,
  TensorRef,
  UnaryOp,
} from '../backend/backend.js';
import type { DType, HostData } from '../tensor/dtype.js';
import { fmt, sizeOf, type Shape } from '../tensor/shape.js';
import {
  binaryKernel,
  castKernel,
  fillKernel,
  unaryKernel,
  whereKernel,
} from './elementwise-kernels.js';
import { gatherKernel, oneHotKernel, scatterAddKernel } from './indexing-kernels.js';
import { matmulKernel } from './matmul-kernel.js';
import { layerNormKernel, logSoftmaxKernel, softmaxKernel } from './nn-kernels.js';
import { allocRef, type RefData } from './ref-data.js';
import { argmaxKernel, maxKernel, sumKernel, topkKernel } from './reduction-kernels.js';
import {
  broadcastToKernel,
  concatKernel,
  padKernel,
  sliceKernel,
  transposeKernel,
} from './shape-kernels.js';

/** A reference tensor: its data, and the shape and dtype it was made with. */
export class ReferenceHandle {
  disposed = false;
  constructor(
    readonly data: RefData,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference';
  readonly device = 'cpu';
  readonly dtypes: readonly DType[] = ['float32', 'int32'];
  readonly fused: FusedKernels = {};
  private readonly live = new Set<ReferenceHandle>();

  // ---- storage -------------------------------------------------------------------------

  upload(data: HostData, out: OutSpec): Handle {
    if (data.length !== sizeOf(out.shape)) {
      throw new Error(`upload: ${data.length} values for shape ${fmt(out.shape)}`);
    }
    if ((out.dtype === 'int32') !== data instanceof Int32Array) {
      throw new Error(`upload: ${data.constructor.name} given for a ${out.dtype} tensor`);
    }
    const copy = allocRef(out.dtype, data.length);
    copy.set(data);
    return this.make(copy, out);
  }

  /** A float32 tensor holding exactly these float64 values (for finite differences in tests). */
  uploadF64(data: Float64Array, shape: Shape): Handle {
    if (data.length !== sizeOf(shape))
      throw new Error(`uploadF64: ${data.length} values for shape ${fmt(shape)}`);
    return this.make(Float64Array.from(data), { shape, dtype: 'float32' });
  }

  async read(x: TensorRef): Promise<HostData> {
    const { data } = this.get(x);
    return data instanceof Int32Array ? Int32Array.from(data) : Float32Array.from(data);
  }

  /** The unrounded float64 values of a float32 tensor (int32 values converted). */
  readF64(x: TensorRef): Float64Array {
    return Float64Array.from(this.get(x).data);
  }

  dispose(handle: Handle): void {
    const h = this.own(handle, 'dispose');
    if (h.disposed) throw new Error('dispose: reference tensor disposed twice');
    h.disposed = true;
    this.live.delete(h);
  }

  async flush(): Promise<void> {}

  memory(): MemoryInfo {
    let bytes = 0;
    for (const h of this.live) bytes += h.data.byteLength;
    return { bytes, tensors: this.live.size };
  }

  async close(): Promise<void> {
    for (const h of this.live) h.disposed = true;
    this.live.clear();
  }

  // ---- kernels -------------------------------------------------------------------------

  fill(value: number, out: OutSpec): Handle {
    return this.make(fillKernel(value, sizeOf(out.shape), out.dtype), out);
  }

  unary(op: UnaryOp, x: TensorRef, out: OutSpec): Handle {
    return this.make(unaryKernel(op, this.data(x), out.dtype), out);
  }

  binary(op: BinaryOp, a: TensorRef, b: TensorRef, out: OutSpec): Handle {
    return this.make(
      binaryKernel(op, this.data(a), a.shape, this.data(b), b.shape, out.shape, out.dtype),
      out,
    );
  }

  where(cond: TensorRef, a: TensorRef, b: TensorRef, out: OutSpec): Handle {
    const d = whereKernel(
      this.data(cond),
      cond.shape,
      this.data(a),
      a.shape,
      this.data(b),
      b.shape,
      out.shape,
      out.dtype,
    );
    return this.make(d, out);
  }

  cast(x: TensorRef, out: OutSpec): Handle {
    return this.make(castKernel(this.data(x), out.dtype), out);
  }

  matmul(a: TensorRef, b: TensorRef, options: MatmulOptions, out: OutSpec): Handle {
    return this.make(
      matmulKernel(this.data(a), a.shape, this.data(b), b.shape, options, out.shape, out.dtype),
      out,
    );
  }

  sum(x: TensorRef, axes: readonly number[], out: OutSpec): Handle {
    return this.make(sumKernel(this.data(x), x.shape, axes, out.shape, out.dtype), out);
  }

  max(x: TensorRef, axes: readonly number[], out: OutSpec): Handle {
    return this.make(maxKernel(this.data(x), x.shape, axes, out.shape, out.dtype), out);
  }

  argmax(x: TensorRef, axis: number, out: OutSpec): Handle {
    return this.make(argmaxKernel(this.data(x), x.shape, axis, out.shape), out);
  }

  topk(x: TensorRef, k: number, outValues: OutSpec, outIndices: OutSpec): [Handle, Handle] {
    const [values, indices] = topkKernel(this.data(x), x.shape, k, outValues.dtype);
    return [this.make(values, outValues), this.make(indices, outIndices)];
  }

  softmax(x: TensorRef, out: OutSpec): Handle {
    return this.make(softmaxKernel(this.data(x), x.shape), out);
  }

  logSoftmax(x: TensorRef, out: OutSpec): Handle {
    return this.make(logSoftmaxKernel(this.data(x), x.shape), out);
  }

  layerNorm(x: TensorRef, gamma: TensorRef, beta: TensorRef, eps: number, out: OutSpec): Handle {
    const d = layerNormKernel(
      this.data(x),
      x.shape,
      this.data(gamma),
      gamma.shape,
      this.data(beta),
      beta.shape,
      eps,
    );
    return this.make(d, out);
  }

  reshape(x: TensorRef, out: OutSpec): Handle {
    return this.make(this.data(x).slice(), out);
  }

  transpose(x: TensorRef, perm: readonly number[], out: OutSpec): Handle {
    return this.make(transposeKernel(this.data(x), x.shape, perm, out.shape, out.dtype), out);
  }

  slice(x: TensorRef, begin: readonly number[], _size: readonly number[], out: OutSpec): Handle {
    return this.make(sliceKernel(this.data(x), x.shape, begin, out.shape, out.dtype), out);
  }

  concat(xs: readonly TensorRef[], axis: number, out: OutSpec): Handle {
    const parts = xs.map((x) => ({ data: this.data(x), shape: x.shape }));
    return this.make(concatKernel(parts, axis, out.shape, out.dtype), out);
  }

  pad(
    x: TensorRef,
    paddings: readonly (readonly [number, number])[],
    value: number,
    out: OutSpec,
  ): Handle {
    return this.make(padKernel(this.data(x), x.shape, paddings, value, out.shape, out.dtype), out);
  }

  broadcastTo(x: TensorRef, out: OutSpec): Handle {
    return this.make(broadcastToKernel(this.data(x), x.shape, out.shape, out.dtype), out);
  }

  gather(x: TensorRef, indices: TensorRef, out: OutSpec): Handle {
    return this.make(
      gatherKernel(this.data(x), x.shape, this.ints(indices), indices.shape, out.dtype),
      out,
    );
  }

  scatterAdd(updates: TensorRef, indices: TensorRef, out: OutSpec): Handle {
    return this.make(
      scatterAddKernel(this.data(updates), this.ints(indices), indices.shape, out.shape, out.dtype),
      out,
    );
  }

  oneHot(indices: TensorRef, depth: number, out: OutSpec): Handle {
    return this.make(oneHotKernel(this.ints(indices), depth), out);
  }

  // ---- helpers -------------------------------------------------------------------------

  private make(data: RefData, out: OutSpec): Handle {
    if (data.length !== sizeOf(out.shape)) {
      throw new Error(
        `reference: kernel produced ${data.length} values for output shape ${fmt(out.shape)}`,
      );
    }
    const stored =
      (out.dtype === 'int32') === data instanceof Int32Array
        ? data
        : allocRef(out.dtype, data.length);
    if (stored !== data) stored.set(out.dtype === 'int32' ? data.map(Math.trunc) : data);
    const h = new ReferenceHandle(stored, [...out.shape], out.dtype);
    this.live.add(h);
    return h as unknown as Handle; // Handle is an opaque brand: any object may stand for it
  }

  private own(handle: Handle, op: string): ReferenceHandle {
    const h: unknown = handle;
    if (!(h instanceof ReferenceHandle)) throw new Error(`${op}: not a reference backend tensor`);
    return h;
  }

  /** The live handle of `x`, checked against the shape and dtype core says it has. */
  private get(x: TensorRef): ReferenceHandle {
    const h = this.own(x.handle, 'reference');
    if (h.disposed) throw new Error(`reference: tensor ${fmt(x.shape)} used after dispose`);
    if (h.dtype !== x.dtype || sizeOf(h.shape) !== sizeOf(x.shape)) {
      throw new Error(
        `reference: tensor is ${h.dtype} ${fmt(h.shape)} but was passed as ${x.dtype} ${fmt(x.shape)}`,
      );
    }
    return h;
  }

  private data(x: TensorRef): RefData {
    return this.get(x).data;
  }

  private ints(x: TensorRef): Int32Array {
    const d = this.data(x);
    if (!(d instanceof Int32Array))
      throw new Error(`reference: indices must be int32, got ${x.dtype}`);
    return d;
  }
}
