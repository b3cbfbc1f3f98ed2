/**
 * Elementwise ops (unary, binary with broadcasting, where, cast) and their gradients.
 * Gradient rules follow tfjs-core's `gradients/*_grad.ts`.
 */
import { isComparison, type BinaryOp, type UnaryOp } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import { broadcastedAxes, broadcastShapes, fmt, ShapeError, shapesEqual, type Shape } from '../tensor/shape.js';
import { EngineBase } from './engine-base.js';
import type { Tensor } from './tensor.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export abstract class ElementwiseOps extends EngineBase {
  // Reductions and reshapes are needed by the gradients here; defined in subclasses.
  abstract sum(x: Tensor, axes?: number | readonly number[], keepDims?: boolean): Tensor;
  abstract reshape(x: Tensor, shape: Shape): Tensor;

  // ------------------------------------------------------------------ unary

  protected unary(op: UnaryOp, x: Tensor, grad: (dy: Tensor, y: Tensor, x: Tensor) => Tensor): Tensor {
    this.requireFloat(op, x);
    const out = { shape: x.shape, dtype: x.dtype };
    return this.run([x], out, () => this.backend.unary(op, x, out), (dy, y) => [grad(dy, y, x)]);
  }

  neg(x: Tensor): Tensor {
    const out = { shape: x.shape, dtype: x.dtype };
    return this.run([x], out, () => this.backend.unary('neg', x, out), (dy) => [this.neg(dy)]);
  }
  exp(x: Tensor): Tensor {
    return this.unary('exp', x, (dy, y) => this.mul(dy, y));
  }
  log(x: Tensor): Tensor {
    return this.unary('log', x, (dy, _y, x) => this.div(dy, x));
  }
  sqrt(x: Tensor): Tensor {
    return this.unary('sqrt', x, (dy, y) => this.div(dy, this.mul(y, 2)));
  }
  rsqrt(x: Tensor): Tensor {
    // d/dx x^-1/2 = -1/2 · y³
    return this.unary('rsqrt', x, (dy, y) => this.mul(dy, this.mul(this.mul(y, this.mul(y, y)), -0.5)));
  }
  tanh(x: Tensor): Tensor {
    return this.unary('tanh', x, (dy, y) => this.mul(dy, this.sub(1, this.mul(y, y))));
  }
  sigmoid(x: Tensor): Tensor {
    return this.unary('sigmoid', x, (dy, y) => this.mul(dy, this.mul(y, this.sub(1, y))));
  }
  abs(x: Tensor): Tensor {
    return this.unary('abs', x, (dy, _y, x) => this.mul(dy, this.sub(this.greater(x, 0), this.less(x, 0))));
  }
  relu(x: Tensor): Tensor {
    return this.unary('relu', x, (dy, _y, x) => this.mul(dy, this.greater(x, 0)));
  }
  erf(x: Tensor): Tensor {
    return this.unary('erf', x, (dy, _y, x) =>
      this.mul(dy, this.mul(this.exp(this.neg(this.mul(x, x))), TWO_OVER_SQRT_PI)),
    );
  }
  /** GELU, tanh approximation (GPT-2's `gelu_new`). */
  gelu(x: Tensor): Tensor {
    return this.unary('gelu', x, (dy, _y, x) => {
      // y = 0.5·x·(1 + t), t = tanh(u), u = c·(x + a·x³); with s = 0.5·(1 + t) = σ(2u):
      // dy/dx = 0.5·(1 + t) + 0.5·x·(1 − t²)·c·(1 + 3a·x²) = s·(1 + x·(1 − s)·(2c + 6ac·x²))
      // (13 element-wise ops instead of 17: the backward pass streams the FFN's [B, T, 4C] that often).
      const x2 = this.mul(x, x);
      const s = this.sigmoid(this.mul(x, this.add(this.mul(x2, 2 * SQRT_2_OVER_PI * 0.044715), 2 * SQRT_2_OVER_PI)));
      const slope = this.add(this.mul(x2, 6 * SQRT_2_OVER_PI * 0.044715), 2 * SQRT_2_OVER_PI);
      return this.mul(dy, this.mul(s, this.add(this.mul(this.mul(x, this.sub(1, s)), slope), 1)));
    });
  }

  // ----------------------------------------------------------------- binary

  /** A number operand becomes a scalar of the other operand's dtype. */
  protected operand(x: Tensor | number, like: Tensor): Tensor {
    return typeof x === 'number' ? this.scalar(x, like.dtype) : x;
  }

  protected binary(op: BinaryOp, a0: Tensor | number, b0: Tensor | number): Tensor {
    if (typeof a0 === 'number' && typeof b0 === 'number') throw new ShapeError(op, 'needs at least one tensor operand');
    const a = typeof a0 === 'number' ? this.operand(a0, b0 as Tensor) : a0;
    const b = this.operand(b0, a);
    if (a.dtype !== b.dtype) throw new ShapeError(op, `dtypes differ: ${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)}`);
    const shape = broadcastShapes(op, a.shape, b.shape);
    const out = { shape, dtype: isComparison(op) ? ('float32' as DType) : a.dtype };
    const kernel = () => this.backend.binary(op, a, b, out);
    if (isComparison(op)) return this.run([a, b], out, kernel);
    if ((op === 'div' || op === 'pow') && a.dtype !== 'float32') throw new ShapeError(op, `needs float32 operands, got ${a.dtype}`);
    return this.run([a, b], out, kernel, (dy) => this.binaryGrad(op, a, b, dy));
  }

  private binaryGrad(op: BinaryOp, a: Tensor, b: Tensor, dy: Tensor): (Tensor | null)[] {
    const ga = () => a.requiresGrad;
    const gb = () => b.requiresGrad;
    switch (op) {
      case 'add':
        return [ga() ? this.reduceTo(dy, a.shape) : null, gb() ? this.reduceTo(dy, b.shape) : null];
      case 'sub':
        return [ga() ? this.reduceTo(dy, a.shape) : null, gb() ? this.reduceTo(this.neg(dy), b.shape) : null];
      case 'mul':
        return [ga() ? this.reduceTo(this.mul(dy, b), a.shape) : null, gb() ? this.reduceTo(this.mul(dy, a), b.shape) : null];
      case 'div':
        return [
          ga() ? this.reduceTo(this.div(dy, b), a.shape) : null,
          gb() ? this.reduceTo(this.neg(this.div(this.mul(dy, a), this.mul(b, b))), b.shape) : null,
        ];
      case 'maximum': {
        const m = this.greaterEqual(a, b);
        return [ga() ? this.reduceTo(this.mul(dy, m), a.shape) : null, gb() ? this.reduceTo(this.mul(dy, this.sub(1, m)), b.shape) : null];
      }
      case 'minimum': {
        const m = this.sub(1, this.greater(a, b)); // a <= b
        return [ga() ? this.reduceTo(this.mul(dy, m), a.shape) : null, gb() ? this.reduceTo(this.mul(dy, this.sub(1, m)), b.shape) : null];
      }
      case 'pow': {
        // d/da a^b = b·a^(b−1); d/db a^b = a^b·log(a) (taken as 0 where a <= 0)
        const da = ga() ? this.reduceTo(this.mul(dy, this.mul(b, this.pow(a, this.sub(b, 1)))), a.shape) : null;
        let db: Tensor | null = null;
        if (gb()) {
          const pos = this.greater(a, 0);
          const safeLog = this.log(this.where(pos, a, this.onesLike(a)));
          db = this.reduceTo(this.mul(dy, this.mul(this.pow(a, b), this.mul(safeLog, pos))), b.shape);
        }
        return [da, db];
      }
      default:
        return [null, null];
    }
  }

  /** Sums a broadcast gradient back to `shape`. */
  reduceTo(g: Tensor, shape: Shape): Tensor {
    if (shapesEqual(g.shape, shape)) return g;
    const axes = broadcastedAxes(shape, g.shape);
    return this.reshape(axes.length ? this.sum(g, axes) : g, shape);
  }

  add(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('add', a, b);
  }
  sub(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('sub', a, b);
  }
  mul(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('mul', a, b);
  }
  div(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('div', a, b);
  }
  maximum(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('maximum', a, b);
  }
  minimum(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('minimum', a, b);
  }
  pow(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('pow', a, b);
  }
  /** a > b as float32 0/1 (no gradient). */
  greater(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('greater', a, b);
  }
  greaterEqual(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('greaterEqual', a, b);
  }
  less(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('less', a, b);
  }
  equal(a: Tensor | number, b: Tensor | number): Tensor {
    return this.binary('equal', a, b);
  }

  // ------------------------------------------------------------ where, cast

  /** cond (float32, nonzero = true) ? a : b, all three broadcast together. */
  where(cond: Tensor, a0: Tensor | number, b0: Tensor | number): Tensor {
    if (cond.dtype !== 'float32') throw new ShapeError('where', `cond must be float32 (0/1), got ${cond.dtype}`);
    const like = typeof a0 !== 'number' ? a0 : typeof b0 !== 'number' ? b0 : cond;
    const a = this.operand(a0, like);
    const b = this.operand(b0, like);
    if (a.dtype !== b.dtype) throw new ShapeError('where', `branch dtypes differ: ${a.dtype} and ${b.dtype}`);
    const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
    const out = { shape, dtype: a.dtype };
    return this.run([cond, a, b], out, () => this.backend.where(cond, a, b, out), (dy) => [
      null,
      a.requiresGrad ? this.reduceTo(this.where(cond, dy, 0), a.shape) : null,
      b.requiresGrad ? this.reduceTo(this.where(cond, 0, dy), b.shape) : null,
    ]);
  }

  /** float32 ↔ int32; float → int truncates toward zero (no gradient). */
  cast(x: Tensor, dtype: DType): Tensor {
    if (x.dtype === dtype) return x;
    const out = { shape: x.shape, dtype };
    return this.run([x], out, () => this.backend.cast(x, out));
  }

  onesLike(x: Tensor): Tensor {
    return this.fill(x.shape, 1, x.dtype);
  }

  zerosLike(x: Tensor): Tensor {
    return this.fill(x.shape, 0, x.dtype);
  }

  protected requireFloat(op: string, x: Tensor): void {
    if (x.dtype !== 'float32') throw new ShapeError(op, `needs a float32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  }
}
