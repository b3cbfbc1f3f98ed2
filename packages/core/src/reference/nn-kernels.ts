/**
 * Normalisations of the reference backend, along the last axis: softmax and log-softmax
 * (max-subtracted, as `torch.softmax`), and layer norm with biased variance (as
 * `torch.nn.LayerNorm`): (x − mean) / sqrt(var + eps) · gamma + beta.
 */
import { sizeOf, type Shape } from '../tensor/shape.js';
import type { RefData } from './ref-data.js';
import { broadcastStrides, forEachPosition } from './strides.js';

/** Calls fn(offset, n) for every row of the last axis. */
function forEachRow(shape: Shape, fn: (offset: number, n: number) => void): void {
  const n = shape[shape.length - 1] ?? 1;
  const rows = n === 0 ? 0 : sizeOf(shape) / n;
  for (let r = 0; r < rows; r++) fn(r * n, n);
}

function rowMax(x: RefData, off: number, n: number): number {
  let m = -Infinity;
  for (let t = 0; t < n; t++) m = Math.max(m, x[off + t]!);
  return m;
}

export function softmaxKernel(x: RefData, shape: Shape): Float64Array {
  const out = new Float64Array(x.length);
  forEachRow(shape, (off, n) => {
    const m = rowMax(x, off, n);
    let s = 0;
    for (let t = 0; t < n; t++) s += out[off + t] = Math.exp(x[off + t]! - m);
    for (let t = 0; t < n; t++) out[off + t]! /= s;
  });
  return out;
}

export function logSoftmaxKernel(x: RefData, shape: Shape): Float64Array {
  const out = new Float64Array(x.length);
  forEachRow(shape, (off, n) => {
    const m = rowMax(x, off, n);
    let s = 0;
    for (let t = 0; t < n; t++) s += Math.exp(x[off + t]! - m);
    const lse = m + Math.log(s);
    for (let t = 0; t < n; t++) out[off + t] = x[off + t]! - lse;
  });
  return out;
}

/** gamma and beta broadcast against x (normally both [C] for x [..., C]). */
export function layerNormKernel(
  x: RefData,
  shape: Shape,
  gamma: RefData,
  gammaShape: Shape,
  beta: RefData,
  betaShape: Shape,
  eps: number,
): Float64Array {
  const normed = new Float64Array(x.length);
  forEachRow(shape, (off, n) => {
    let mean = 0;
    for (let t = 0; t < n; t++) mean += x[off + t]!;
    mean /= n;
    let variance = 0;
    for (let t = 0; t < n; t++) variance += (x[off + t]! - mean) ** 2;
    variance /= n;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let t = 0; t < n; t++) normed[off + t] = (x[off + t]! - mean) * inv;
  });
  const out = new Float64Array(x.length);
  const sg = broadcastStrides(gammaShape, shape);
  const sb = broadcastStrides(betaShape, shape);
  forEachPosition(shape, [sg, sb], (i, [ig, ib]) => {
    out[i] = normed[i]! * gamma[ig!]! + beta[ib!]!;
  });
  return out;
}
