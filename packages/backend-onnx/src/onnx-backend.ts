/**
 * core's op contract (core backend/backend.ts) on ONNX Runtime by recording: every kernel call
 * appends a record to a pending graph and returns a symbolic handle; uploads, fills and results
 * of earlier runs are ORT tensors. `read` (or `flush`) compiles everything pending into one ONNX
 * graph (record/graph-runner.ts: sessions cached by structural signature) and runs it, keeping
 * every value core still holds as an ORT tensor for later graphs — weights, KV caches and
 * optimizer state stay in ORT between runs. Core's autodiff issues the backward kernels, so a
 * whole train step (forward, loss, backward, AdamW) is recorded and runs as one session.
 * Frozen weights (core's `markFrozen`) are compiled in as constants ORT pre-packs once.
 */
import {
  CaptuneError,
  sizeOf,
  type Backend,
  type BinaryOp,
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
import type { OnnxBackendOptions, OnnxBackendStats } from './onnx-backend-options.js';
import { EXECUTION_PROVIDER, type OnnxDevice, type Ort, type OrtTensor } from './ort-runtime.js';
import { GraphValue } from './record/graph-value.js';
import { ConstantPolicy, defaultMaxConstantBytes } from './record/constant-policy.js';
import { GraphRunner } from './record/graph-runner.js';
import * as k from './record/kernel-emitters.js';
import { PendingGraph } from './record/pending-graph.js';
import { fuseRecords } from './record/fuse-records.js';
import { TransposedWeights } from './record/transposed-weights.js';

export type { OnnxBackendOptions, OnnxBackendStats } from './onnx-backend-options.js';

export class OnnxBackend implements Backend {
  readonly name = 'onnx';
  readonly device: OnnxDevice;
  readonly dtypes: readonly DType[] = ['float32', 'int32'];
  readonly fused: FusedKernels;
  private readonly ort: Ort;
  private readonly pending: PendingGraph;
  private readonly runner: GraphRunner;
  private readonly live = new Set<GraphValue>();
  private readonly eagerFillLimit: number;
  private readonly transposed: TransposedWeights;
  /** Runs are serialised: a flush waits for the one in flight, then takes what is pending. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly fuse: boolean;
  private fusedAway = 0;

  constructor(options: OnnxBackendOptions) {
    this.ort = options.ort;
    this.device = options.device;
    this.eagerFillLimit = options.eagerFillLimit ?? 65536;
    this.fuse = options.fuse ?? true;
    this.transposed = new TransposedWeights(options.transposedWeights);
    this.pending = new PendingGraph(options.maxPendingOps ?? 200_000);
    this.runner = new GraphRunner({
      ort: options.ort,
      executionProviders: [EXECUTION_PROVIDER[options.device]],
      maxSessions: options.maxSessions ?? 64,
      maxConstantBytes: options.maxConstantBytes ?? defaultMaxConstantBytes(),
      constants: new ConstantPolicy(options.constants),
      threadSpinning: options.threadSpinning ?? false,
      memoryArena: options.memory?.arena ?? true,
      memoryPattern: options.memory?.pattern ?? true,
    });
    this.fused = {
      attention: (q, kk, v, mask, scale, out) =>
        this.record1(k.attentionEmitter(q, kk, v, mask, scale), mask ? [q, kk, v, mask] : [q, kk, v], out),
      matmulBiasGelu: (x, w, b, out) => this.record1(k.matmulBiasGeluEmitter(x, w, b), [x, w, b], out),
    };
  }

  /** Compile and run counters (session caching is visible here). */
  get stats(): OnnxBackendStats {
    return {
      ...this.runner.stats,
      pendingOps: this.pending.size,
      fusedAway: this.fusedAway,
      cachedSessions: this.runner.cachedSessions,
      cachedConstantBytes: this.runner.cachedConstantBytes,
      transposedWeightBytes: this.transposed.bytes,
    };
  }

  // ---- storage -------------------------------------------------------------------------

  upload(data: HostData, out: OutSpec): Handle {
    if (data.length !== sizeOf(out.shape)) throw new Error(`onnx upload: ${data.length} values for shape [${out.shape.join(', ')}]`);
    const copy = out.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    return this.materialized(copy, out);
  }

  fill(value: number, out: OutSpec): Handle {
    const n = sizeOf(out.shape);
    if (n <= this.eagerFillLimit) return this.materialized(this.filled(value, n, out.dtype), out);
    // A scalar input expanded in the graph; only the record holds the scalar.
    const scalar = this.newValue(this.filled(value, 1, out.dtype), { shape: [], dtype: out.dtype });
    scalar.disposed = true;
    const [v] = this.pending.add(k.expandEmitter(scalar, out), [scalar], [out]);
    return this.track(v!);
  }

  async read(x: TensorRef): Promise<HostData> {
    const v = this.value(x, 'read');
    if (!v.tensor) await this.flush();
    if (!v.tensor) throw new Error('onnx backend (internal): a read value was not computed');
    const data = v.tensor.data as Float32Array | Int32Array;
    return data.slice();
  }

  dispose(handle: Handle): void {
    const v = this.own(handle, 'dispose');
    if (v.disposed) throw new Error('onnx dispose: tensor disposed twice');
    v.disposed = true;
    this.live.delete(v);
    this.runner.forget(v);
    this.pending.release(v);
    const copy = this.transposed.forget(v);
    if (copy) this.pending.release(copy);
  }

  /** Frozen weights: compiled into graphs as constants (record/constant-policy.ts). */
  markFrozen(handle: Handle): void {
    this.own(handle, 'markFrozen').frozen = true;
  }

  /** Runs everything recorded so far. */
  flush(): Promise<void> {
    const next = this.queue.then(() => this.runPending());
    this.queue = next.catch(() => undefined);
    return next;
  }

  memory(): MemoryInfo {
    let bytes = 0;
    for (const v of this.live) if (v.tensor) bytes += (v.tensor.data as ArrayBufferView).byteLength;
    return { bytes, tensors: this.live.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.pending.clear();
    for (const v of this.live) {
      v.tensor = null;
      this.transposed.forget(v);
    }
    this.live.clear();
    await this.runner.close();
  }

  // ---- kernels -------------------------------------------------------------------------

  unary(op: UnaryOp, x: TensorRef, out: OutSpec): Handle {
    return this.record1(k.unaryEmitter(op, x), [x], out);
  }

  binary(op: BinaryOp, a: TensorRef, b: TensorRef, out: OutSpec): Handle {
    return this.record1(k.binaryEmitter(op, a, b), [a, b], out);
  }

  where(cond: TensorRef, a: TensorRef, b: TensorRef, out: OutSpec): Handle {
    return this.record1(k.whereEmitter(cond, a, b), [cond, a, b], out);
  }

  cast(x: TensorRef, out: OutSpec): Handle {
    return this.record1(k.castEmitter(x, out), [x], out);
  }

  matmul(a: TensorRef, b: TensorRef, options: MatmulOptions, out: OutSpec): Handle {
    if (options.transposeB && !options.transposeA) {
      const [av, bv] = [this.value(a, 'matmul'), this.value(b, 'matmul')];
      if (this.transposed.applies(av, bv)) {
        // a·bᵀ as a·(bᵀ): a row-major [K, N] copy reads faster for one row (record/transposed-weights.ts).
        const bt = this.transposed.of(bv, (data, shape) => new this.ort.Tensor('float32', data, shape) as OrtTensor);
        const plain = { transposeA: false, transposeB: false };
        return this.pending.add(k.matmulEmitter(a, bt, plain), [av, bt], [out]).map((v) => this.track(v))[0]!;
      }
    }
    return this.record1(k.matmulEmitter(a, b, options), [a, b], out);
  }

  sum(x: TensorRef, axes: readonly number[], out: OutSpec): Handle {
    return this.record1(k.reduceEmitter('sum', x, axes), [x], out);
  }

  max(x: TensorRef, axes: readonly number[], out: OutSpec): Handle {
    return this.record1(k.reduceEmitter('max', x, axes), [x], out);
  }

  argmax(x: TensorRef, axis: number, out: OutSpec): Handle {
    return this.record1(k.argmaxEmitter(x, axis), [x], out);
  }

  topk(x: TensorRef, kk: number, outValues: OutSpec, outIndices: OutSpec): [Handle, Handle] {
    const [v, i] = this.record(k.topkEmitter(x, kk), [x], [outValues, outIndices]);
    return [v!, i!];
  }

  softmax(x: TensorRef, out: OutSpec): Handle {
    return this.record1(k.softmaxEmitter(false, x), [x], out);
  }

  logSoftmax(x: TensorRef, out: OutSpec): Handle {
    return this.record1(k.softmaxEmitter(true, x), [x], out);
  }

  layerNorm(x: TensorRef, gamma: TensorRef, beta: TensorRef, eps: number, out: OutSpec): Handle {
    return this.record1(k.layerNormEmitter(x, gamma, beta, eps), [x, gamma, beta], out);
  }

  reshape(x: TensorRef, out: OutSpec): Handle {
    const v = this.value(x, 'reshape');
    if (v.tensor) {
      const r = this.newValue(v.tensor.data as HostData, out); // same data, new shape
      r.frozen = v.frozen;
      return this.track(r);
    }
    return this.record1(k.reshapeEmitter(x, out), [x], out);
  }

  transpose(x: TensorRef, perm: readonly number[], out: OutSpec): Handle {
    return this.record1(k.transposeEmitter(x, perm), [x], out);
  }

  slice(x: TensorRef, begin: readonly number[], size: readonly number[], out: OutSpec): Handle {
    return this.record1(k.sliceEmitter(x, begin, size), [x], out);
  }

  concat(xs: readonly TensorRef[], axis: number, out: OutSpec): Handle {
    const parts = xs.filter((x) => sizeOf(x.shape) > 0);
    if (parts.length === 1) return this.record1(k.expandEmitter(parts[0]!, out), parts, out);
    return this.record1(k.concatEmitter(parts, axis), parts, out);
  }

  pad(x: TensorRef, paddings: readonly (readonly [number, number])[], value: number, out: OutSpec): Handle {
    if (sizeOf(x.shape) === 0) return this.fill(value, out);
    return this.record1(k.padEmitter(x, paddings, value), [x], out);
  }

  broadcastTo(x: TensorRef, out: OutSpec): Handle {
    return this.record1(k.expandEmitter(x, out), [x], out);
  }

  gather(x: TensorRef, indices: TensorRef, out: OutSpec): Handle {
    return this.record1(k.gatherEmitter(x, indices), [x, indices], out);
  }

  scatterAdd(updates: TensorRef, indices: TensorRef, out: OutSpec): Handle {
    if (sizeOf(updates.shape) === 0) return this.fill(0, out);
    return this.record1(k.scatterAddEmitter(updates, indices, out), [updates, indices], out);
  }

  oneHot(indices: TensorRef, depth: number, out: OutSpec): Handle {
    return this.record1(k.oneHotEmitter(indices, depth), [indices], out);
  }

  // ---- helpers -------------------------------------------------------------------------

  private record1(emitter: k.KernelEmitter, inputs: readonly TensorRef[], out: OutSpec): Handle {
    return this.record(emitter, inputs, [out])[0]!;
  }

  /** Appends a record; zero-size outputs are made directly (ORT is never asked for them). */
  private record(emitter: k.KernelEmitter, inputs: readonly TensorRef[], outs: readonly OutSpec[]): Handle[] {
    if (this.closed) throw new CaptuneError('onnx backend: used after close()');
    const values: GraphValue[] = [];
    for (const x of inputs) {
      const h: unknown = x.handle;
      // The op is named (from the key) only for the error of a foreign or disposed tensor.
      values.push(h instanceof GraphValue && !h.disposed ? h : this.value(x, emitter.key.slice(0, emitter.key.indexOf(':'))));
    }
    if (outs.some((o) => sizeOf(o.shape) === 0)) {
      return outs.map((o) => this.materialized(this.filled(0, sizeOf(o.shape), o.dtype), o));
    }
    return this.pending.add(emitter, values, outs).map((v) => this.track(v));
  }

  private filled(value: number, n: number, dtype: DType): HostData {
    return dtype === 'int32' ? new Int32Array(n).fill(value) : new Float32Array(n).fill(value);
  }

  private newValue(data: HostData, out: OutSpec): GraphValue {
    const v = new GraphValue([...out.shape], out.dtype);
    v.tensor = new this.ort.Tensor(out.dtype, data, [...out.shape]) as OrtTensor;
    return v;
  }

  private materialized(data: HostData, out: OutSpec): Handle {
    return this.track(this.newValue(data, out));
  }

  private track(v: GraphValue): Handle {
    this.live.add(v);
    return v as unknown as Handle; // Handle is an opaque brand
  }

  private own(handle: Handle, op: string): GraphValue {
    const h: unknown = handle;
    if (!(h instanceof GraphValue)) throw new Error(`onnx ${op}: not an onnx backend tensor`);
    return h;
  }

  private value(x: TensorRef, op: string): GraphValue {
    const v = this.own(x.handle, op);
    if (v.disposed) throw new Error(`onnx ${op}: tensor [${x.shape.join(', ')}] used after dispose`);
    return v;
  }

  private async runPending(): Promise<void> {
    const records = this.pending.take();
    if (records.length === 0) return;
    try {
      // Fused records are new objects; the bookkeeping below walks the originals.
      const batch = this.fuse ? fuseRecords(records) : records;
      this.fusedAway += records.length - batch.length;
      await this.runner.run(batch);
    } finally {
      for (const r of records) {
        for (const o of r.outputs) o.producer = null;
        for (const x of r.inputs) {
          x.consumers--;
          this.pending.release(x);
        }
        for (const o of r.outputs) this.pending.release(o);
      }
    }
  }
}
