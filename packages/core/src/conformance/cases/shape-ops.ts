/** Data-movement cases: reshape, transpose, slice, concat, pad, broadcastTo (float32 with gradients, int32 exact). */
import { defineCases, ints, type ConformanceCase } from '../conformance-case.js';

const int32 = { dtype: 'int32' as const, gen: ints(-1000, 1000) };

const cases: ConformanceCase[] = [
  {
    id: 'shape/reshape-infer',
    inputs: [{ shape: [2, 3, 4] }],
    run: (e, [x]) => e.reshape(x!, [4, -1]),
  },
  { id: 'shape/reshape-scalar', inputs: [{ shape: [] }], run: (e, [x]) => e.reshape(x!, [1, 1]) },
  {
    id: 'shape/reshape-empty',
    inputs: [{ shape: [0, 3] }],
    run: (e, [x]) => e.reshape(x!, [3, 0]),
  },
  {
    id: 'shape/reshape-int32',
    inputs: [{ shape: [6], ...int32 }],
    run: (e, [x]) => e.reshape(x!, [3, 2]),
  },

  { id: 'shape/transpose-default', inputs: [{ shape: [3, 5] }], run: (e, [x]) => e.transpose(x!) },
  {
    id: 'shape/transpose-heads',
    inputs: [{ shape: [2, 4, 3, 5] }],
    run: (e, [x]) => e.transpose(x!, [0, 2, 1, 3]),
  }, // [B,T,H,D] → [B,H,T,D]
  {
    id: 'shape/transpose-negative-perm',
    inputs: [{ shape: [2, 3, 4] }],
    run: (e, [x]) => e.transpose(x!, [-1, 0, 1]),
  },
  {
    id: 'shape/transpose-3d-reverse',
    inputs: [{ shape: [2, 3, 4] }],
    run: (e, [x]) => e.transpose(x!, [2, 1, 0]),
  },
  {
    id: 'shape/transpose-int32',
    inputs: [{ shape: [2, 3, 2], ...int32 }],
    run: (e, [x]) => e.transpose(x!, [1, 2, 0]),
  },

  {
    id: 'shape/slice-2d',
    inputs: [{ shape: [4, 5] }],
    run: (e, [x]) => e.slice(x!, [1, 2], [2, 3]),
  },
  {
    id: 'shape/slice-to-end',
    inputs: [{ shape: [4, 5] }],
    run: (e, [x]) => e.slice(x!, [2, 1], [-1, -1]),
  },
  {
    id: 'shape/slice-4d',
    inputs: [{ shape: [2, 3, 4, 5] }],
    run: (e, [x]) => e.slice(x!, [1, 0, 1, 2], [1, 3, 2, -1]),
  },
  {
    id: 'shape/slice-short-begin',
    inputs: [{ shape: [3, 4, 2] }],
    run: (e, [x]) => e.slice(x!, [1], [2]),
  },
  {
    id: 'shape/slice-empty',
    inputs: [{ shape: [3, 4] }],
    run: (e, [x]) => e.slice(x!, [1, 0], [0, 4]),
  },
  {
    id: 'shape/slice-int32',
    inputs: [{ shape: [4, 3], ...int32 }],
    run: (e, [x]) => e.slice(x!, [1, 1], [2, 2]),
  },

  {
    id: 'shape/concat-axis0',
    inputs: [{ shape: [2, 3] }, { shape: [1, 3] }],
    run: (e, xs) => e.concat(xs, 0),
  },
  {
    id: 'shape/concat-negative-axis',
    inputs: [{ shape: [2, 3] }, { shape: [2, 5] }],
    run: (e, xs) => e.concat(xs, -1),
  },
  {
    id: 'shape/concat-three-4d',
    inputs: [{ shape: [1, 2, 2, 3] }, { shape: [1, 2, 1, 3] }, { shape: [1, 2, 3, 3] }],
    run: (e, xs) => e.concat(xs, 2),
  }, // KV cache append
  {
    id: 'shape/concat-same-twice',
    inputs: [{ shape: [2, 3] }],
    run: (e, [x]) => e.concat([x!, x!], 0),
  },
  {
    id: 'shape/concat-empty-part',
    inputs: [{ shape: [2, 0] }, { shape: [2, 3] }],
    run: (e, xs) => e.concat(xs, 1),
  },
  {
    id: 'shape/concat-int32',
    inputs: [
      { shape: [2, 2], ...int32 },
      { shape: [2, 1], ...int32 },
    ],
    run: (e, xs) => e.concat(xs, 1),
  },

  {
    id: 'shape/pad-2d',
    inputs: [{ shape: [2, 3] }],
    run: (e, [x]) =>
      e.pad(x!, [
        [1, 2],
        [0, 3],
      ]),
  },
  { id: 'shape/pad-value', inputs: [{ shape: [3] }], run: (e, [x]) => e.pad(x!, [[2, 1]], -1.5) },
  {
    id: 'shape/pad-4d',
    inputs: [{ shape: [1, 2, 2, 3] }],
    run: (e, [x]) =>
      e.pad(x!, [
        [0, 0],
        [1, 0],
        [0, 2],
        [1, 1],
      ]),
  },
  {
    id: 'shape/pad-int32',
    inputs: [{ shape: [2, 2], ...int32 }],
    run: (e, [x]) =>
      e.pad(
        x!,
        [
          [1, 0],
          [0, 1],
        ],
        7,
      ),
  },

  {
    id: 'shape/broadcastTo',
    inputs: [{ shape: [3, 1] }],
    run: (e, [x]) => e.broadcastTo(x!, [2, 3, 4]),
  },
  {
    id: 'shape/broadcastTo-scalar',
    inputs: [{ shape: [] }],
    run: (e, [x]) => e.broadcastTo(x!, [2, 2]),
  },
  {
    id: 'shape/broadcastTo-int32',
    inputs: [{ shape: [1, 3], ...int32 }],
    run: (e, [x]) => e.broadcastTo(x!, [2, 3]),
  },
];

/** Data movement is exact; float inputs are differentiable. */
export const shapeCases = defineCases(
  cases.map((c) => ({ ...c, exact: true, grad: c.inputs.every((i) => i.dtype !== 'int32') })),
);
