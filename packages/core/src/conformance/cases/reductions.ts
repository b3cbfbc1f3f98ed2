/** Reduction cases: sum, max, mean over axes (negative, several, keepDims), rank 0, empty axes, int32. */
import type { Engine } from '../../engine/engine.js';
import type { Tensor } from '../../engine/tensor.js';
import { defineCases, ints, type ConformanceCase } from '../conformance-case.js';

type Reduce = 'sum' | 'max' | 'mean';

function red(
  op: Reduce,
  id: string,
  shape: number[],
  axes?: number | number[],
  keepDims = false,
  extra: Partial<ConformanceCase> = {},
): ConformanceCase {
  return {
    id: `reductions/${op}-${id}`,
    inputs: [{ shape }],
    run: (e: Engine, [x]: readonly Tensor[]) => e[op](x!, axes, keepDims),
    grad: true,
    ...extra,
  };
}

export const reductionCases = defineCases([
  red('sum', 'all', [2, 3, 4]),
  red('sum', 'negative-axis', [2, 3, 4], -1),
  red('sum', 'axes-keepdims', [2, 3, 4], [0, 2], true),
  red('sum', '4d-axes', [2, 3, 4, 5], [1, 3]),
  red('sum', 'scalar', []),
  red('sum', 'empty-axis', [2, 0, 3], 1),
  red('sum', 'long', [3, 200], 1, false, { tolScale: 4 }),
  {
    id: 'reductions/sum-int32',
    inputs: [{ shape: [3, 4], dtype: 'int32', gen: ints(-20, 20) }],
    run: (e, [x]) => [e.sum(x!, 0), e.sum(x!)],
    exact: true,
  },
  red('max', 'all', [3, 5]),
  red('max', 'last-axis', [3, 5], 1),
  red('max', 'negative-axes-keepdims', [2, 3, 4], [-1, -3], true),
  red('max', '4d', [2, 2, 3, 4], [2]),
  {
    id: 'reductions/max-int32',
    inputs: [{ shape: [3, 4], dtype: 'int32', gen: ints(-20, 20) }],
    run: (e, [x]) => e.max(x!, 1),
    exact: true,
  },
  red('mean', 'all', [2, 3, 4]),
  red('mean', 'axis-keepdims', [2, 3, 4], 1, true),
  red('mean', 'negative-axes', [2, 3, 4, 5], [-1, -2]),
]);
