/** Matmul cases: transposes, batches with broadcasting, attention shapes, empty and long inner dims. */
import { defineCases, type ConformanceCase } from '../conformance-case.js';

function mm(
  id: string,
  a: number[],
  b: number[],
  transposeA = false,
  transposeB = false,
  tolScale?: number,
): ConformanceCase {
  return {
    id: `matmul/${id}`,
    inputs: [{ shape: a }, { shape: b }],
    run: (e, [x, y]) => e.matmul(x!, y!, { transposeA, transposeB }),
    grad: true,
    tolScale,
  };
}

export const matmulCases = defineCases([
  mm('2d', [3, 4], [4, 5]),
  mm('transposeA', [4, 3], [4, 5], true),
  mm('transposeB', [3, 4], [5, 4], false, true),
  mm('transposeAB', [4, 3], [5, 4], true, true),
  mm('vector-shapes', [1, 6], [6, 1]),
  mm('batched', [2, 3, 4], [2, 4, 5]),
  mm('batched-transposeB', [2, 2, 5, 8], [2, 2, 6, 8], false, true), // attention scores q·kᵀ
  mm('batched-transposeA', [2, 4, 3], [2, 4, 5], true),
  mm('batch-broadcast', [2, 1, 3, 4], [3, 4, 2]),
  mm('matrix-times-batch', [3, 4], [2, 4, 5]),
  mm('batch-times-matrix-transposeB', [2, 3, 4], [5, 4], false, true),
  mm('inner-empty', [2, 0], [0, 3]),
  mm('batch-empty', [0, 2, 3], [3, 2]),
  mm('long-inner', [2, 96], [96, 3], false, false, 4),
]);
