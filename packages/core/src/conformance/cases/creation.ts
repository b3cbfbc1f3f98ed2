/** Creation, cast and where cases: fill/zeros/ones/scalar/tensor, float ↔ int casts, where with broadcasting. */
import { bits, defineCases, ints, uniform } from '../conformance-case.js';

export const creationCases = defineCases([
  {
    id: 'creation/fill-zeros-ones-scalar',
    inputs: [],
    run: (e) => [
      e.zeros([2, 3]),
      e.ones([4]),
      e.fill([2, 2], -3.25),
      e.scalar(0.5),
      e.zeros([0, 2]),
    ],
    exact: true,
  },
  {
    id: 'creation/fill-int32',
    inputs: [],
    run: (e) => [
      e.zeros([3], 'int32'),
      e.ones([2, 2], 'int32'),
      e.fill([3], -7, 'int32'),
      e.scalar(42, 'int32'),
    ],
    exact: true,
  },
  {
    id: 'creation/tensor-from-numbers',
    inputs: [],
    run: (e) => [
      e.tensor([1.5, -2, 1e-8, 3e7], [2, 2]),
      e.tensor([1, -2, 2147483647], [3], 'int32'),
      e.tensor([], [0, 3]),
    ],
    exact: true,
  },
  {
    id: 'creation/upload-roundtrip',
    inputs: [{ shape: [3, 4] }],
    run: (_e, [x]) => x!,
    exact: true,
  },

  {
    id: 'creation/cast-float-to-int',
    inputs: [{ shape: [12], gen: uniform(-5, 5) }],
    run: (e, [x]) => e.cast(x!, 'int32'),
    exact: true,
  },
  {
    id: 'creation/cast-float-to-int-exact-halves',
    inputs: [{ shape: [8], values: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.99, 0.99] }],
    run: (e, [x]) => e.cast(x!, 'int32'),
    exact: true,
  },
  {
    id: 'creation/cast-int-to-float',
    inputs: [{ shape: [2, 3], dtype: 'int32', gen: ints(-1000, 1000) }],
    run: (e, [x]) => e.cast(x!, 'float32'),
    exact: true,
  },

  {
    id: 'creation/where-broadcast',
    inputs: [{ shape: [2, 1, 4], gen: bits, grad: false }, { shape: [3, 4] }, { shape: [] }],
    run: (e, [c, a, b]) => e.where(c!, a!, b!),
    grad: true,
    exact: true,
  },
  {
    id: 'creation/where-from-comparison',
    inputs: [{ shape: [3, 4] }, { shape: [3, 4] }],
    run: (e, [a, b]) => e.where(e.greater(a!, b!), a!, e.mul(b!, 2)),
    grad: true,
  },
  {
    id: 'creation/where-nonzero-cond',
    inputs: [
      { shape: [6], values: [0, 2, -1, 0, 0.5, 0], grad: false },
      { shape: [6] },
      { shape: [6] },
    ],
    run: (e, [c, a, b]) => e.where(c!, a!, b!),
    grad: true,
    exact: true,
  },
  {
    id: 'creation/where-int32',
    inputs: [
      { shape: [5], gen: bits },
      { shape: [5], dtype: 'int32', gen: ints(-9, 9) },
      { shape: [1], dtype: 'int32', gen: ints(-9, 9) },
    ],
    run: (e, [c, a, b]) => e.where(c!, a!, b!),
    exact: true,
  },
]);
