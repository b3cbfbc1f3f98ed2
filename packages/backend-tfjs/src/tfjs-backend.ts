/**
 * core's `Backend` on TensorFlow.js (tfjs-core 4.x, eager). A handle is a `tf.Tensor`.
 *
 * tfjs has one global engine with one active backend. A `TfjsBackend` is bound to one tfjs
 * backend name ("wasm", "cpu", "tensorflow") and makes it the active one before each kernel
 * when another instance switched away, so instances on different devices work in one process
 * (switching costs a little; interleave them sparingly). Tensors are tracked per instance so
 * that `close()` frees what it made and `memory()` reports this instance's share.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  CaptuneError,
  type Backend,
  type BinaryOp,
  type DeviceName,
  type DType,
  type FusedKernels,
  type Handle,
  type HostData,
  type MatmulOptions,
  type MemoryInfo,
  type OutSpec,
  type TensorRef,
  type UnaryOp,
} from '@captune/core';
import * as ops from './tfjs-ops.js';
import type { TfNamespace, TfjsRuntime } from './tfjs-runtime.js';

export interface TfjsBackendOptions {
  /** The tfjs namespace, tfjs backend name and detail from `loadRuntime`. */
  readonly runtime: TfjsRuntime;
  readonly device: DeviceName;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

export class TfjsBackend implements Backend {
  readonly name = 'tfjs';
  readonly device: DeviceName;
  readonly dtypes: readonly DType[] = ['float32', 'int32'];
  readonly fused: FusedKernels;
  /** The tfjs backend name this instance runs on. */
  readonly tfBackend: string;
  /** What the runtime reported (SIMD, GPU, …). */
  readonly detail: string;
  private readonly tf: TfNamespace;
  private readonly live = new Set<Tensor>();
  private closed = false;

  constructor(options: TfjsBackendOptions) {
    this.tf = options.runtime.tf;
    this.tfBackend = options.runtime.tfBackend;
    this.detail = options.runtime.detail;
    this.device = options.device;
    this.fused = {
      attention: (q, k, v, mask, scale, out) =>
        this.run(out, [q, k, v, ...(mask ? [mask] : [])], () =>
          ops.attention(this.tf, t(q), t(k), t(v), mask ? t(mask) : null, scale),
        ),
      // tfjs's fused matMul has no GELU activation (linear/relu/relu6/elu/prelu/leakyrelu/sigmoid),
      // so matmulBiasGelu is left to core's fallback.
    };
  }

  upload(data: HostData, out: OutSpec): Handle {
    // Only the wasm backend copies on write; cpu/tensorflow keep the array, which the caller owns.
    const copy = this.tfBackend === 'wasm' ? data : data.slice();
    return this.run(out, [], () => this.tf.tensor(copy, [...out.shape], out.dtype));
  }

  fill(value: number, out: OutSpec): Handle {
    return this.run(out, [], () => this.tf.fill([...out.shape], value, out.dtype));
  }

  unary(op: UnaryOp, x: TensorRef, out: OutSpec): Handle {
    return this.run(out, [x], () => ops.unaryOp(this.tf, op, t(x)));
  }

  binary(op: BinaryOp, a: TensorRef, b: TensorRef, out: OutSpec): Handle {
    return this.run(out, [a, b], () => ops.binaryOp(this.tf, op, t(a), t(b)));
  }

  where(cond: TensorRef, a: TensorRef, b: TensorRef, out: OutSpec): Handle {
    return this.run(out, [cond, a, b], () => ops.where(this.tf, t(cond), t(a), t(b)));
  }

  cast(x: TensorRef, out: OutSpec): Handle {
    return this.run(out, [x], () => this.tf.cast(t(x), out.dtype));
  }

  matmul(a: TensorRef, b: TensorRef, options: MatmulOptions, out: OutSpec): Handle {
    return this.run(out, [a, b], () =>
      ops.matmul(
        this.tf,
        t(a),
        t(b),
        options.transposeA,
        options.transposeB,
        out.shape,
        this.tfBackend,
      ),
    );
  }

  sum(x: TensorRef, axes: readonly number[], out: OutSpec): Handle {
    return this.run(out, [x], () => ops.sum(this.tf, t(x), axes, out.shape));
  }

  max(x: TensorRef, axes: readonly number[], out: OutSpec): Handle {
    return this.run(out, [x], () => this.tf.max(t(x), [...axes]));
  }

  argmax(x: TensorRef, axis: number, out: OutSpec): Handle {
    return this.run(out, [x], () => this.tf.argMax(t(x), axis));
  }

  topk(x: TensorRef, k: number, outValues: OutSpec, outIndices: OutSpec): [Handle, Handle] {
    this.activate();
    const [values, indices] = outValues.shape.includes(0)
      ? [this.tf.zeros([...outValues.shape]), this.tf.zeros([...outIndices.shape], 'int32')]
      : ops.topk(this.tf, t(x), k);
    return [this.adopt(values, outValues, [x]), this.adopt(indices, outIndices, [x])];
  }

  softmax(x: TensorRef, out: OutSpec): Handle {
    return this.run(out, [x], () => this.tf.softmax(t(x), -1));
  }

  logSoftmax(x: TensorRef, out: OutSpec): Handle {
    return this.run(out, [x], () => ops.logSoftmax(this.tf, t(x)));
  }

  layerNorm(x: TensorRef, gamma: TensorRef, beta: TensorRef, eps: number, out: OutSpec): Handle {
    return this.run(out, [x, gamma, beta], () =>
      ops.layerNorm(this.tf, t(x), t(gamma), t(beta), eps),
    );
  }

  reshape(x: TensorRef, out: OutSpec): Handle {
    return this.run(out, [x], () => this.tf.reshape(t(x), [...out.shape]));
  }

  transpose(x: TensorRef, perm: readonly number[], out: OutSpec): Handle {
    return this.run(out, [x], () => this.tf.transpose(t(x), [...perm]));
  }

  slice(x: TensorRef, begin: readonly number[], size: readonly number[], out: OutSpec): Handle {
    return this.run(out, [x], () => this.tf.slice(t(x), [...begin], [...size]));
  }

  concat(xs: readonly TensorRef[], axis: number, out: OutSpec): Handle {
    return this.run(out, xs, () => this.tf.concat(xs.map(t), axis));
  }

  pad(
    x: TensorRef,
    paddings: readonly (readonly [number, number])[],
    value: number,
    out: OutSpec,
  ): Handle {
    const p = paddings.map(([before, after]): [number, number] => [before, after]);
    return this.run(out, [x], () => this.tf.pad(t(x), p, value));
  }

  broadcastTo(x: TensorRef, out: OutSpec): Handle {
    // tfjs's BroadcastTo/Tile run ~10x slower on wasm than a broadcasting add onto zeros.
    return this.run(out, [x], () =>
      this.tf.tidy(() => this.tf.add(this.tf.zeros([...out.shape], out.dtype), t(x))),
    );
  }

  gather(x: TensorRef, indices: TensorRef, out: OutSpec): Handle {
    return this.run(out, [x, indices], () => this.tf.gather(t(x), t(indices), 0));
  }

  scatterAdd(updates: TensorRef, indices: TensorRef, out: OutSpec): Handle {
    return this.run(out, [updates, indices], () =>
      ops.scatterAdd(this.tf, t(updates), t(indices), out.shape, out.dtype),
    );
  }

  oneHot(indices: TensorRef, depth: number, out: OutSpec): Handle {
    return this.run(out, [indices], () => ops.oneHot(this.tf, t(indices), depth));
  }

  async read(x: TensorRef): Promise<HostData> {
    this.assertOpen();
    const tensor = t(x);
    const data = await tensor.data();
    // A fresh copy: the cpu backend hands out its own storage.
    return tensor.dtype === 'int32'
      ? Int32Array.from(data as Int32Array)
      : Float32Array.from(data as Float32Array);
  }

  dispose(handle: Handle): void {
    const tensor = handle as unknown as Tensor;
    this.live.delete(tensor);
    tensor.dispose();
  }

  async flush(): Promise<void> {
    // tfjs's wasm, cpu and tensorflow backends run each op synchronously: nothing is queued.
  }

  memory(): MemoryInfo {
    const seen = new Set<object>();
    let bytes = 0;
    for (const tensor of this.live) {
      if (seen.has(tensor.dataId)) continue; // reshapes share storage
      seen.add(tensor.dataId);
      bytes += tensor.size * (BYTES_PER_ELEMENT[tensor.dtype] ?? 4);
    }
    return { bytes, tensors: this.live.size };
  }

  async close(): Promise<void> {
    for (const tensor of this.live) tensor.dispose();
    this.live.clear();
    this.closed = true;
  }

  /** Runs one kernel on this instance's tfjs backend and takes ownership of the result. */
  private run(out: OutSpec, inputs: readonly TensorRef[], kernel: () => Tensor): Handle {
    this.activate();
    // An empty result needs no kernel (and some tfjs kernels mishandle empty tensors).
    if (out.shape.includes(0)) return this.adopt(this.tf.zeros([...out.shape], out.dtype), out, []);
    return this.adopt(kernel(), out, inputs);
  }

  /** Makes the result a new tensor of `out`'s dtype and shape, and tracks it. */
  private adopt(result: Tensor, out: OutSpec, inputs: readonly TensorRef[]): Handle {
    let r = result;
    if (inputs.some((i) => t(i) === r)) r = r.clone(); // core disposes each handle once
    if (r.dtype !== out.dtype) {
      const c = this.tf.cast(r, out.dtype);
      r.dispose();
      r = c;
    }
    if (r.shape.length !== out.shape.length || r.shape.some((d, i) => d !== out.shape[i])) {
      r.dispose();
      throw new Error(
        `tfjs backend bug: kernel gave shape [${r.shape.join(', ')}], core expected [${out.shape.join(', ')}]`,
      );
    }
    this.live.add(r);
    return r as unknown as Handle;
  }

  /** Makes this instance's tfjs backend the active one (tfjs has one global engine). */
  private activate(): void {
    this.assertOpen();
    if (this.tf.getBackend() === this.tfBackend) return;
    // The backend is initialised already, so setBackend switches before its first await.
    void this.tf.setBackend(this.tfBackend);
    if (this.tf.getBackend() !== this.tfBackend) {
      throw new CaptuneError(
        `tfjs backend: could not switch the tfjs engine to "${this.tfBackend}" (device ${this.device})`,
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new CaptuneError(`tfjs backend on device "${this.device}" is closed`);
  }
}

function t(ref: TensorRef): Tensor {
  return ref.handle as unknown as Tensor;
}
