/**
 * The engine's mechanism: owns the backend, wraps handles into `Tensor`s, tracks them in
 * scopes (`tidy`), and records a tape of differentiable ops while gradients are wanted.
 * The ops themselves are the subclasses (elementwise-ops.ts, …); autodiff is engine.ts.
 *
 * Follows tfjs-core's engine (scopes, tape) in spirit, with gradients defined per op.
 */
import type { Backend, Handle, OutSpec } from '../backend/backend.js';
import { allocFor, type DType, type HostData } from '../tensor/dtype.js';
import { assertValidShape, fmt, ShapeError, sizeOf, type Shape } from '../tensor/shape.js';
import { Tensor, Variable } from './tensor.js';

/** Gradients of an op's inputs given the gradient of its output (null: input needs none). */
export type GradFn = (dy: Tensor, y: Tensor) => (Tensor | null)[];

export interface TapeNode {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly grad: GradFn;
  /**
   * Set for a slice of `inputs[0]` (its start per axis; the output's shape is the size): the
   * backward pass gathers the slices' gradients of one value and, when they tile it along one
   * axis, joins them with one concat instead of summing a full-size zero padding per slice.
   */
  readonly sliceBegin?: readonly number[];
  /** Intermediates of a composite's forward that its gradient reads (freed with the tape). */
  readonly saved?: readonly Tensor[];
}

/** Anything `tidy` can return: tensors are kept, everything else is left alone. */
export type Keepable = Tensor | readonly Keepable[] | { readonly [k: string]: Keepable } | number | string | boolean | null | undefined | void;

export class EngineBase {
  protected readonly scopes: Set<Tensor>[] = [new Set()];
  protected tape: TapeNode[] | null = null;
  private readonly kept = new WeakSet<Tensor>();
  private readonly onTape = new WeakSet<Tensor>();
  private liveCount = 0;

  constructor(readonly backend: Backend) {}

  /** Number of tensors created by this engine and not yet disposed. */
  get liveTensors(): number {
    return this.liveCount;
  }

  // ---------------------------------------------------------------- tensors

  protected wrap(handle: Handle, out: OutSpec): Tensor {
    const t = new Tensor(handle, out.shape, out.dtype);
    this.track(t);
    return t;
  }

  protected track(t: Tensor): void {
    this.liveCount++;
    this.scopes[this.scopes.length - 1]!.add(t);
  }

  /**
   * Runs a kernel and records it on the tape when a gradient may flow through it.
   * `grad` is omitted for non-differentiable ops.
   */
  protected run(inputs: readonly Tensor[], out: OutSpec, kernel: () => Handle, grad?: GradFn, sliceBegin?: readonly number[]): Tensor {
    const y = this.wrap(kernel(), out);
    if (this.tape && grad && inputs.some((x) => x.requiresGrad)) {
      y.requiresGrad = true;
      this.tape.push(sliceBegin ? { inputs, output: y, grad, sliceBegin } : { inputs, output: y, grad });
      for (const x of inputs) this.onTape.add(x);
      this.onTape.add(y);
    }
    return y;
  }

  /**
   * An op built from other ops with its own gradient: `forward` runs without recording (its
   * intermediates are freed), and one tape node with `grad` stands for the whole op. For
   * composites whose gradient is much cheaper than back-propagating through their parts
   * (cross-entropy). `forward` returns the output and the intermediates `grad` reads again
   * (`saved`): they live until the tape is done when recording, else they are freed at once.
   */
  protected composite<S extends readonly Tensor[]>(
    inputs: readonly Tensor[],
    forward: () => { readonly y: Tensor; readonly saved: S },
    grad: (dy: Tensor, saved: S) => (Tensor | null)[],
  ): Tensor {
    const tape = this.tape;
    this.tape = null;
    let out: { readonly y: Tensor; readonly saved: S };
    try {
      out = this.tidy(forward);
    } finally {
      this.tape = tape;
    }
    const { y, saved } = out;
    if (tape && inputs.some((x) => x.requiresGrad)) {
      y.requiresGrad = true;
      tape.push({ inputs, output: y, grad: (dy) => grad(dy, saved), saved });
      for (const x of [...inputs, ...saved]) this.onTape.add(x);
      this.onTape.add(y);
    } else {
      this.dispose(saved);
    }
    return y;
  }

  /** A tensor from host data (row-major). */
  tensor(data: HostData | readonly number[], shape: Shape, dtype?: DType): Tensor {
    assertValidShape('tensor', shape);
    const dt: DType = dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError('tensor', `${data.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} elements)`);
    }
    let host: HostData;
    if (dt === 'float32') host = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    else {
      if (!(data instanceof Int32Array)) {
        for (let i = 0; i < data.length; i++) {
          const v = data[i]!;
          if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
            throw new ShapeError('tensor', `int32 tensor given ${v} at index ${i}: values must be integers in the int32 range`);
          }
        }
      }
      host = data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>);
    }
    const out = { shape: [...shape], dtype: dt };
    return this.wrap(this.backend.upload(host, out), out);
  }

  scalar(value: number, dtype: DType = 'float32'): Tensor {
    return this.fill([], value, dtype);
  }

  fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
    assertValidShape('fill', shape);
    const out = { shape: [...shape], dtype };
    return this.wrap(this.backend.fill(value, out), out);
  }

  zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
    return this.fill(shape, 0, dtype);
  }

  ones(shape: Shape, dtype: DType = 'float32'): Tensor {
    return this.fill(shape, 1, dtype);
  }

  /** A long-lived tensor, by default trainable. Takes ownership of `init`'s storage. */
  variable(init: Tensor, options: { trainable?: boolean; name?: string } = {}): Variable {
    this.scopeOf(init)?.delete(init);
    this.liveCount--;
    const v = new Variable(init.handle, init.shape, init.dtype, options.name ?? `var${init.id}`, options.trainable ?? true);
    init.disposed = true; // the handle now belongs to `v`
    this.liveCount++;
    if (!v.trainable) this.backend.markFrozen?.(v.handle);
    return v;
  }

  /** Replaces a variable's storage with `value` (same shape and dtype); frees the old storage. */
  assign(v: Variable, value: Tensor): void {
    if (value.dtype !== v.dtype || value.shape.length !== v.shape.length || value.shape.some((d, i) => d !== v.shape[i])) {
      throw new ShapeError('assign', `variable "${v.name}" is ${v.dtype} ${fmt(v.shape)}, value is ${value.dtype} ${fmt(value.shape)}`);
    }
    const old = v.handle;
    this.scopeOf(value)?.delete(value);
    v.replaceHandle(value.handle);
    value.disposed = true;
    this.liveCount--;
    this.backend.dispose(old);
  }

  // ---------------------------------------------------------------- memory

  /** Runs `fn` and frees every tensor it created except those it returns (or `keep`s). Sync only. */
  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) throw new Error('tidy: the function must be synchronous (await outside tidy)');
    } finally {
      this.scopes.pop();
    }
    const keep = new Set<Tensor>();
    collectTensors(result, keep);
    const parent = this.scopes[this.scopes.length - 1]!;
    for (const t of scope) {
      if (t.disposed) continue;
      if (keep.has(t) || this.kept.has(t) || this.onTape.has(t)) parent.add(t);
      else this.free(t);
    }
    return result;
  }

  /** Exempts a tensor from the enclosing `tidy` (it must then be disposed by hand). */
  keep<T extends Tensor>(t: T): T {
    this.kept.add(t);
    return t;
  }

  dispose(x: Tensor | readonly Tensor[] | null | undefined): void {
    if (!x) return;
    if (Array.isArray(x)) {
      for (const t of x) this.dispose(t);
      return;
    }
    const t = x as Tensor;
    if (t.disposed) return;
    this.scopeOf(t)?.delete(t);
    this.free(t);
  }

  private free(t: Tensor): void {
    if (t.disposed) return;
    this.backend.dispose(t.handle);
    t.disposed = true;
    this.liveCount--;
  }

  private scopeOf(t: Tensor): Set<Tensor> | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.has(t)) return this.scopes[i];
    return undefined;
  }

  /** Reads a tensor back to the host. */
  async read(t: Tensor): Promise<HostData> {
    if (t.size === 0) return allocFor(t.dtype, 0);
    return this.backend.read(t);
  }

  /** Reads a one-element tensor as a number. */
  async readScalar(t: Tensor): Promise<number> {
    if (t.size !== 1) throw new ShapeError('readScalar', `expected one element, got shape ${fmt(t.shape)}`);
    return (await this.read(t))[0]!;
  }

  /** @internal for autodiff */
  protected clearTapeMarks(nodes: readonly TapeNode[]): void {
    for (const n of nodes) {
      this.onTape.delete(n.output);
      for (const x of n.inputs) this.onTape.delete(x);
      for (const x of n.saved ?? []) this.onTape.delete(x);
    }
  }
}

function collectTensors(x: unknown, into: Set<Tensor>): void {
  if (x instanceof Tensor) into.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, into);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, into);
  else if (x && typeof x === 'object') for (const v of Object.values(x)) collectTensors(v, into);
}
