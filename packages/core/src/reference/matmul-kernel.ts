/**
 * Batched matrix product of the reference backend, float64 accumulation:
 * a [..., M, K] × b [..., K, N] → [..., M, N]; `transposeA` reads a as [..., K, M] and
 * `transposeB` reads b as [..., N, K]; batch dims broadcast (NumPy `matmul`).
 */
import type { MatmulOptions } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import { sizeOf, type Shape } from '../tensor/shape.js';
import { allocRef, type RefData } from './ref-data.js';
import { broadcastStrides, forEachPosition } from './strides.js';

export function matmulKernel(
  a: RefData,
  aShape: Shape,
  b: RefData,
  bShape: Shape,
  options: MatmulOptions,
  outShape: Shape,
  outDtype: DType,
): RefData {
  if (aShape.length < 2 || bShape.length < 2 || outShape.length < 2) {
    throw new Error(
      `matmul: reference kernel needs rank ≥ 2 operands, got [${aShape}] and [${bShape}]`,
    );
  }
  const [aRows, aCols] = aShape.slice(-2) as [number, number];
  const [bRows, bCols] = bShape.slice(-2) as [number, number];
  const m = options.transposeA ? aCols : aRows;
  const k = options.transposeA ? aRows : aCols;
  const n = options.transposeB ? bRows : bCols;
  const kb = options.transposeB ? bCols : bRows;
  if (k !== kb) throw new Error(`matmul: inner dimensions differ (${k} vs ${kb})`);

  // Element (i, p) of op(A) within one matrix, and (p, j) of op(B), as flat offsets.
  const aAt = options.transposeA
    ? (i: number, p: number) => p * aCols + i
    : (i: number, p: number) => i * aCols + p;
  const bAt = options.transposeB
    ? (p: number, j: number) => j * bCols + p
    : (p: number, j: number) => p * bCols + j;

  // Batch dims: walk the output's batch shape with the inputs' broadcast batch strides
  // (counted in whole matrices).
  const batchShape = outShape.slice(0, -2);
  const aBatch = broadcastStrides(aShape.slice(0, -2), batchShape).map((s) => s * aRows * aCols);
  const bBatch = broadcastStrides(bShape.slice(0, -2), batchShape).map((s) => s * bRows * bCols);
  const out = allocRef(outDtype, sizeOf(outShape));
  forEachPosition(batchShape, [aBatch, bBatch], (batch, [aOff, bOff]) => {
    const oOff = batch * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[aOff! + aAt(i, p)]! * b[bOff! + bAt(p, j)]!;
        out[oOff + i * n + j] = acc;
      }
    }
  });
  return out;
}
