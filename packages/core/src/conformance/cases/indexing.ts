/** Indexing cases: argmax, topk (ties), gather / scatterAdd along axis 0 with indices of any rank, oneHot. */
import { defineCases, ints } from '../conformance-case.js';

export const indexingCases = defineCases([
  {
    id: 'indexing/argmax-last',
    inputs: [{ shape: [3, 5] }],
    run: (e, [x]) => e.argmax(x!),
    exact: true,
  },
  {
    id: 'indexing/argmax-axis0',
    inputs: [{ shape: [4, 3] }],
    run: (e, [x]) => e.argmax(x!, 0),
    exact: true,
  },
  {
    id: 'indexing/argmax-4d',
    inputs: [{ shape: [2, 2, 5, 3] }],
    run: (e, [x]) => e.argmax(x!, 2),
    exact: true,
  },
  {
    id: 'indexing/argmax-ties-first',
    inputs: [{ shape: [3, 4], values: [1, 3, 3, 0, 2, 2, 2, 2, -1, -5, -1, -2] }],
    run: (e, [x]) => e.argmax(x!, -1),
    exact: true,
  },
  {
    id: 'indexing/argmax-int32',
    inputs: [{ shape: [3, 6], dtype: 'int32', gen: ints(-3, 3) }],
    run: (e, [x]) => e.argmax(x!),
    exact: true,
  },

  {
    id: 'indexing/topk',
    inputs: [{ shape: [3, 6] }],
    run: (e, [x]) => {
      const { values, indices } = e.topk(x!, 3);
      return [values, indices];
    },
    exact: true,
  },
  {
    id: 'indexing/topk-ties-lower-index',
    inputs: [{ shape: [2, 5], values: [1, 4, 4, 0, 4, 2, 2, 3, 2, 2] }],
    run: (e, [x]) => {
      const { values, indices } = e.topk(x!, 4);
      return [values, indices];
    },
    exact: true,
  },
  {
    id: 'indexing/topk-k-equals-n-3d',
    inputs: [{ shape: [2, 2, 4] }],
    run: (e, [x]) => {
      const { values, indices } = e.topk(x!, 4);
      return [values, indices];
    },
    exact: true,
  },

  {
    id: 'indexing/gather-rows',
    inputs: [{ shape: [5, 3] }, { shape: [4], dtype: 'int32', gen: ints(0, 5) }],
    run: (e, [x, i]) => e.gather(x!, i!),
    grad: true,
    exact: true,
  },
  {
    id: 'indexing/gather-2d-indices-repeated',
    inputs: [{ shape: [4, 2] }, { shape: [2, 3], dtype: 'int32', values: [3, 0, 3, 1, 3, 0] }],
    run: (e, [x, i]) => e.gather(x!, i!),
    grad: true,
    exact: true,
  },
  {
    id: 'indexing/gather-scalar-index',
    inputs: [{ shape: [4, 3] }, { shape: [], dtype: 'int32', values: [2] }],
    run: (e, [x, i]) => e.gather(x!, i!),
    grad: true,
    exact: true,
  },
  {
    id: 'indexing/gather-3d-table',
    inputs: [{ shape: [4, 2, 3] }, { shape: [3], dtype: 'int32', gen: ints(0, 4) }],
    run: (e, [x, i]) => e.gather(x!, i!),
    grad: true,
    exact: true,
  },
  {
    id: 'indexing/gather-vector-table',
    inputs: [{ shape: [6] }, { shape: [2, 2], dtype: 'int32', gen: ints(0, 6) }],
    run: (e, [x, i]) => e.gather(x!, i!),
    grad: true,
    exact: true,
  },
  {
    id: 'indexing/gather-int32',
    inputs: [
      { shape: [5, 2], dtype: 'int32', gen: ints(-9, 9) },
      { shape: [3], dtype: 'int32', gen: ints(0, 5) },
    ],
    run: (e, [x, i]) => e.gather(x!, i!),
    exact: true,
  },
  {
    id: 'indexing/scatterAdd-repeated',
    inputs: [{ shape: [5, 3] }, { shape: [5], dtype: 'int32', values: [2, 0, 2, 2, 1] }],
    run: (e, [u, i]) => e.scatterAdd(u!, i!, 4),
    grad: true,
  },
  {
    id: 'indexing/scatterAdd-2d-indices',
    inputs: [{ shape: [2, 3, 2] }, { shape: [2, 3], dtype: 'int32', gen: ints(0, 4) }],
    run: (e, [u, i]) => e.scatterAdd(u!, i!, 4),
    grad: true,
  },

  {
    id: 'indexing/oneHot-out-of-range',
    inputs: [{ shape: [6], dtype: 'int32', values: [0, 3, -1, 4, 2, 3] }],
    run: (e, [i]) => e.oneHot(i!, 4),
    exact: true,
  },
  {
    id: 'indexing/oneHot-2d',
    inputs: [{ shape: [2, 3], dtype: 'int32', gen: ints(0, 5) }],
    run: (e, [i]) => e.oneHot(i!, 5),
    exact: true,
  },
  {
    id: 'indexing/oneHot-scalar',
    inputs: [{ shape: [], dtype: 'int32', values: [1] }],
    run: (e, [i]) => e.oneHot(i!, 3),
    exact: true,
  },
]);
