/**
 * Elementwise kernels of the reference backend: unary, binary (NumPy broadcasting), where,
 * cast and fill. Math in float64; int32 outputs take JavaScript's ToInt32 (truncation).
 * gelu is GPT-2's `gelu_new` (openai/gpt-2 `model.py`): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import { sizeOf, type Shape } from '../tensor/shape.js';
import { erf } from './erf.js';
import { allocRef, type RefData } from './ref-data.js';
import { broadcastStrides, forEachPosition } from './strides.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function unaryFn(op: UnaryOp): (x: number) => number {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'rsqrt':
      return (x) => 1 / Math.sqrt(x);
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      // Two forms so that exp never overflows.
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'abs':
      return Math.abs;
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'erf':
      return erf;
    case 'gelu':
      return (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
  }
}

export function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'maximum':
      return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
    case 'minimum':
      return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));
    case 'pow':
      return Math.pow;
    case 'greater':
      return (a, b) => (a > b ? 1 : 0);
    case 'greaterEqual':
      return (a, b) => (a >= b ? 1 : 0);
    case 'less':
      return (a, b) => (a < b ? 1 : 0);
    case 'equal':
      return (a, b) => (a === b ? 1 : 0);
  }
}

export function unaryKernel(op: UnaryOp, x: RefData, outDtype: DType): RefData {
  const f = unaryFn(op);
  const out = allocRef(outDtype, x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

export function binaryKernel(
  op: BinaryOp,
  a: RefData,
  aShape: Shape,
  b: RefData,
  bShape: Shape,
  outShape: Shape,
  outDtype: DType,
): RefData {
  const f = binaryFn(op);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const out = allocRef(outDtype, sizeOf(outShape));
  forEachPosition(outShape, [sa, sb], (i, [ia, ib]) => {
    out[i] = f(a[ia!]!, b[ib!]!);
  });
  return out;
}

export function whereKernel(
  cond: RefData,
  condShape: Shape,
  a: RefData,
  aShape: Shape,
  b: RefData,
  bShape: Shape,
  outShape: Shape,
  outDtype: DType,
): RefData {
  const strides = [condShape, aShape, bShape].map((s) => broadcastStrides(s, outShape));
  const out = allocRef(outDtype, sizeOf(outShape));
  forEachPosition(outShape, strides, (i, [ic, ia, ib]) => {
    out[i] = cond[ic!] !== 0 ? a[ia!]! : b[ib!]!;
  });
  return out;
}

/** float32 → int32 truncates toward zero (ToInt32); int32 → float32 is exact. */
export function castKernel(x: RefData, outDtype: DType): RefData {
  const out = allocRef(outDtype, x.length);
  const f = outDtype === 'int32' ? Math.trunc : (v: number) => v;
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

export function fillKernel(value: number, size: number, outDtype: DType): RefData {
  return allocRef(outDtype, size).fill(outDtype === 'int32' ? Math.trunc(value) : value);
}
