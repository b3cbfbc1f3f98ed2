/**
 * The Engine: the op API that model code calls (all ops in the superclasses) plus
 * reverse-mode autodiff. Only trainable `Variable`s start gradients; an op is recorded on
 * the tape only when one of its inputs requires a gradient, so frozen backbones cost no
 * gradient memory for their weights (and none for their activations before the first
 * trainable op).
 */
import { fmt, ShapeError } from '../tensor/shape.js';
import type { TapeNode } from './engine-base.js';
import { NnOps } from './nn-ops.js';
import type { Tensor, Variable } from './tensor.js';

export interface ValueAndGrads {
  /** The scalar loss. */
  readonly value: Tensor;
  /** One gradient per requested parameter, same shape (zeros if the loss does not depend on it). */
  readonly grads: Tensor[];
}

export class Engine extends NnOps {
  /** True while a loss function passed to `valueAndGrads` is running. */
  get recording(): boolean {
    return this.tape !== null;
  }

  /**
   * Runs `lossFn` (synchronous; must return a float32 scalar) while recording, then
   * back-propagates to `params`. Every other tensor created on the way is freed.
   */
  valueAndGrads(lossFn: () => Tensor, params: readonly Variable[]): ValueAndGrads {
    if (this.tape) throw new Error('valueAndGrads: already recording (nested gradients are not supported)');
    for (const p of params) {
      if (!p.trainable) throw new Error(`valueAndGrads: variable "${p.name}" is not trainable`);
    }
    const tape: TapeNode[] = [];
    this.tape = tape;
    return this.tidy(() => {
      let value: Tensor;
      try {
        value = lossFn();
      } finally {
        this.tape = null;
      }
      if (value.size !== 1 || value.dtype !== 'float32') {
        this.clearTapeMarks(tape);
        throw new ShapeError('valueAndGrads', `the loss must be a float32 scalar, got ${value.dtype} ${fmt(value.shape)}`);
      }
      const grads = this.backward(tape, value);
      this.clearTapeMarks(tape);
      const out = params.map((p) => {
        const g = grads.get(p.id);
        grads.delete(p.id);
        return g ?? this.zeros(p.shape);
      });
      const returned = new Set(out);
      for (const g of grads.values()) if (!returned.has(g)) this.dispose(g);
      return { value, grads: out };
    });
  }

  /** Walks the tape backwards; returns the gradients of the tape's leaves (variables). */
  private backward(tape: readonly TapeNode[], value: Tensor): Map<number, Tensor> {
    const grads = new Map<number, Tensor>();
    if (!value.requiresGrad) return grads;
    // A gradient tensor may be shared (an op passing dy through to two inputs): refcount it.
    const refs = new Map<Tensor, number>();
    const retain = (t: Tensor) => refs.set(t, (refs.get(t) ?? 0) + 1);
    const release = (t: Tensor) => {
      const n = (refs.get(t) ?? 1) - 1;
      if (n > 0) refs.set(t, n);
      else {
        refs.delete(t);
        this.dispose(t);
      }
    };
    const accumulate = (x: Tensor, g: Tensor) => {
      const prev = grads.get(x.id);
      if (prev) {
        const total = this.add(prev, g);
        retain(total);
        grads.set(x.id, total);
        release(prev);
      } else {
        retain(g);
        grads.set(x.id, g);
      }
    };
    // Gradients of slices, by the sliced value: joined when that value's gradient is read.
    const slices = new Map<number, { x: Tensor; parts: { dy: Tensor; begin: readonly number[] }[] }>();
    const settle = (id: number) => {
      const pending = slices.get(id);
      if (!pending) return;
      slices.delete(id);
      const g = this.tidy(() => this.joinSliceGrads(pending.x, pending.parts));
      accumulate(pending.x, g);
      if (!refs.has(g)) this.dispose(g);
      for (const p of pending.parts) release(p.dy);
    };
    const seed = this.onesLike(value);
    retain(seed);
    grads.set(value.id, seed);
    const produced = new Set<number>();
    for (let i = tape.length - 1; i >= 0; i--) {
      const node = tape[i]!;
      produced.add(node.output.id);
      settle(node.output.id);
      const dy = grads.get(node.output.id);
      if (!dy) continue;
      grads.delete(node.output.id);
      const x0 = node.inputs[0]!;
      if (node.sliceBegin && x0.requiresGrad) {
        const pending = slices.get(x0.id) ?? { x: x0, parts: [] };
        pending.parts.push({ dy, begin: node.sliceBegin }); // keeps the reference grads held
        slices.set(x0.id, pending);
        continue;
      }
      const inGrads = this.tidy(() => node.grad(dy, node.output));
      node.inputs.forEach((x, j) => {
        const g = inGrads[j];
        if (!g || !x.requiresGrad) return;
        accumulate(x, g);
      });
      release(dy);
      for (const g of inGrads) if (g && !refs.has(g)) this.dispose(g);
    }
    for (const id of [...slices.keys()]) settle(id);
    for (const [id, g] of [...grads]) {
      if (produced.has(id)) {
        grads.delete(id);
        release(g);
      }
    }
    return grads;
  }

  /**
   * The gradient of `x` from the gradients of its slices: when they tile `x` along one axis (every
   * other axis whole, no gap, no overlap), their concat — one pass, the same numbers as summing a
   * zero padding of each (x + 0 = x exactly); otherwise that sum.
   */
  private joinSliceGrads(x: Tensor, parts: readonly { dy: Tensor; begin: readonly number[] }[]): Tensor {
    const cut = (p: { dy: Tensor; begin: readonly number[] }) => {
      const axes = x.shape.map((_, i) => i).filter((i) => p.begin[i] !== 0 || p.dy.shape[i] !== x.shape[i]);
      return axes.length === 1 ? axes[0]! : -1;
    };
    const axis = parts.length > 1 ? cut(parts[0]!) : -1;
    if (axis >= 0 && parts.every((p) => cut(p) === axis)) {
      const sorted = [...parts].sort((a, b) => a.begin[axis]! - b.begin[axis]!);
      let at = 0;
      const tiles = sorted.every((p) => {
        const ok = p.begin[axis] === at;
        at += p.dy.shape[axis]!;
        return ok;
      });
      if (tiles && at === x.shape[axis]) return this.concat(sorted.map((p) => p.dy), axis);
    }
    return parts.map((p) => this.unslice(p.dy, p.begin, x.shape)).reduce((sum, t) => this.add(sum, t));
  }
}
