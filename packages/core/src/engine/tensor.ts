/**
 * Core's tensor: an opaque backend handle plus what core knows about it (shape, dtype,
 * whether gradients flow through it). Tensors are made by an `Engine`; model code never
 * constructs them directly.
 */
import type { Handle, TensorRef } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import { sizeOf, type Shape } from '../tensor/shape.js';

let nextId = 1;

export class Tensor implements TensorRef {
  readonly id = nextId++;
  /** True when gradients flow through this tensor (a trainable variable or derived from one on the tape). */
  requiresGrad = false;
  /** Set by the engine once the handle has been released. */
  disposed = false;

  constructor(
    private _handle: Handle,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  get handle(): Handle {
    if (this.disposed) throw new Error(`tensor #${this.id} ${fmtShape(this.shape)} was used after it was disposed`);
    return this._handle;
  }

  /** @internal Engine-only: swap the storage of a Variable. */
  protected setHandle(h: Handle): void {
    this._handle = h;
    this.disposed = false;
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  toString(): string {
    return `Tensor#${this.id}(${this.dtype} ${fmtShape(this.shape)})`;
  }
}

/**
 * A named, long-lived tensor (a weight or optimizer state). Never freed by `tidy`; its
 * storage is replaced in place by `Engine.assign`. Trainable variables receive gradients.
 */
export class Variable extends Tensor {
  constructor(
    handle: Handle,
    shape: Shape,
    dtype: DType,
    readonly name: string,
    readonly trainable: boolean,
  ) {
    super(handle, shape, dtype);
    this.requiresGrad = trainable;
  }

  /** @internal */
  replaceHandle(h: Handle): void {
    this.setHandle(h);
  }
}

function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
