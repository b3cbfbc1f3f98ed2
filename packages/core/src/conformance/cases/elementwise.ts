/** Elementwise cases: every unary op, binary ops with broadcasting, comparisons, int32 arithmetic. */
import type { UnaryOp } from '../../backend/backend.js';
import {
  awayFromZero,
  defineCases,
  ints,
  normal,
  signedUniform,
  uniform,
  type ConformanceCase,
  type Gen,
} from '../conformance-case.js';

const UNARY: [UnaryOp, Gen, number?][] = [
  ['neg', normal()],
  ['exp', normal(), 2],
  ['log', uniform(0.2, 3)],
  ['sqrt', uniform(0.2, 3)],
  ['rsqrt', uniform(0.2, 3)],
  ['tanh', normal(1.5)],
  ['sigmoid', normal(3)],
  ['abs', awayFromZero()],
  ['relu', awayFromZero()],
  ['erf', normal(1.5)],
  ['gelu', normal(2)],
];

const unaryCases: ConformanceCase[] = UNARY.flatMap(([op, gen, tolScale]) => [
  {
    id: `elementwise/${op}`,
    inputs: [{ shape: [2, 3, 4], gen }],
    run: (e, [x]) => e[op](x!),
    grad: true,
    tolScale,
  },
]);

export const elementwiseCases = defineCases([
  ...unaryCases,
  { id: 'elementwise/exp-scalar', inputs: [{ shape: [] }], run: (e, [x]) => e.exp(x!), grad: true },
  {
    id: 'elementwise/tanh-empty',
    inputs: [{ shape: [0, 3] }],
    run: (e, [x]) => e.tanh(x!),
    grad: true,
  },
  {
    id: 'elementwise/neg-int32',
    inputs: [{ shape: [7], dtype: 'int32', gen: ints(-50, 50) }],
    run: (e, [x]) => e.neg(x!),
    exact: true,
  },

  // ---- binary, float32 with broadcasting
  {
    id: 'elementwise/add-broadcast',
    inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1] }],
    run: (e, [a, b]) => e.add(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/sub-broadcast-both',
    inputs: [{ shape: [4, 1] }, { shape: [3] }],
    run: (e, [a, b]) => e.sub(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/mul-scalar-tensor',
    inputs: [{ shape: [] }, { shape: [2, 3] }],
    run: (e, [a, b]) => e.mul(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/mul-number',
    inputs: [{ shape: [2, 3] }],
    run: (e, [a]) => e.mul(a!, 2.5),
    grad: true,
  },
  {
    id: 'elementwise/sub-number-first',
    inputs: [{ shape: [5] }],
    run: (e, [a]) => e.sub(1, a!),
    grad: true,
  },
  {
    id: 'elementwise/div-broadcast',
    inputs: [{ shape: [2, 3] }, { shape: [2, 1], gen: signedUniform(0.5, 2) }],
    run: (e, [a, b]) => e.div(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/maximum-broadcast',
    inputs: [{ shape: [3, 4] }, { shape: [4] }],
    run: (e, [a, b]) => e.maximum(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/minimum',
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4] }],
    run: (e, [a, b]) => e.minimum(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/pow-broadcast',
    inputs: [
      { shape: [2, 3], gen: uniform(0.5, 2) },
      { shape: [3], gen: normal(1) },
    ],
    run: (e, [a, b]) => e.pow(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/pow-square-negative-base',
    inputs: [{ shape: [6] }],
    run: (e, [a]) => e.pow(a!, 2),
    grad: true,
  },
  {
    id: 'elementwise/add-empty',
    inputs: [{ shape: [0, 3] }, { shape: [3] }],
    run: (e, [a, b]) => e.add(a!, b!),
    grad: true,
  },
  {
    id: 'elementwise/mul-4d-attention-broadcast',
    inputs: [{ shape: [2, 2, 3, 3] }, { shape: [1, 1, 3, 3] }],
    run: (e, [a, b]) => e.mul(a!, b!),
    grad: true,
  },

  // ---- one tensor reaching the loss along two paths (gradient accumulation)
  {
    id: 'elementwise/mul-self',
    inputs: [{ shape: [2, 3] }],
    run: (e, [x]) => e.mul(x!, x!),
    grad: true,
  },
  {
    id: 'elementwise/add-self-two-paths',
    inputs: [{ shape: [4] }],
    run: (e, [x]) => e.add(e.tanh(x!), e.mul(x!, x!)),
    grad: true,
  },

  // ---- comparisons: small integers as floats, so ties occur
  ...(['greater', 'greaterEqual', 'less', 'equal'] as const).map((op): ConformanceCase => ({
    id: `elementwise/${op}`,
    inputs: [
      { shape: [3, 4], gen: ints(-2, 3) },
      { shape: [4], gen: ints(-2, 3) },
    ],
    run: (e, [a, b]) => e[op](a!, b!),
    exact: true,
  })),
  {
    id: 'elementwise/less-int32',
    inputs: [
      { shape: [2, 5], dtype: 'int32', gen: ints(-3, 3) },
      { shape: [1, 5], dtype: 'int32', gen: ints(-3, 3) },
    ],
    run: (e, [a, b]) => e.less(a!, b!),
    exact: true,
  },

  // ---- int32 arithmetic
  ...(['add', 'sub', 'mul', 'maximum', 'minimum'] as const).map((op): ConformanceCase => ({
    id: `elementwise/${op}-int32`,
    inputs: [
      { shape: [2, 4], dtype: 'int32', gen: ints(-100, 100) },
      { shape: [4], dtype: 'int32', gen: ints(-100, 100) },
    ],
    run: (e, [a, b]) => e[op](a!, b!),
    exact: true,
  })),
]);
