/** Neural-network cases: softmax, log-softmax, layer norm, and the composites built on them (attention, linear, cross-entropy). */
import { defineCases, ints, normal, uniform } from '../conformance-case.js';

/** Causal additive mask [1, 1, T, T]: 0 on and below the diagonal, −1e9 above. */
function causalMask(t: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) out.push(j <= i ? 0 : -1e9);
  return out;
}

export const nnCases = defineCases([
  { id: 'nn/softmax', inputs: [{ shape: [3, 7] }], run: (e, [x]) => e.softmax(x!), grad: true },
  {
    id: 'nn/softmax-4d',
    inputs: [{ shape: [2, 2, 3, 5] }],
    run: (e, [x]) => e.softmax(x!),
    grad: true,
  },
  {
    id: 'nn/softmax-large-logits',
    inputs: [{ shape: [2, 6], gen: normal(30) }],
    run: (e, [x]) => e.softmax(x!),
    grad: true,
    tolScale: 4,
  },
  {
    id: 'nn/softmax-single',
    inputs: [{ shape: [4, 1] }],
    run: (e, [x]) => e.softmax(x!),
    grad: true,
  },
  {
    id: 'nn/softmax-empty-rows',
    inputs: [{ shape: [0, 4] }],
    run: (e, [x]) => e.softmax(x!),
    grad: true,
  },
  {
    id: 'nn/logSoftmax',
    inputs: [{ shape: [3, 7] }],
    run: (e, [x]) => e.logSoftmax(x!),
    grad: true,
  },
  {
    id: 'nn/logSoftmax-4d-large',
    inputs: [{ shape: [1, 2, 3, 9], gen: normal(20) }],
    run: (e, [x]) => e.logSoftmax(x!),
    grad: true,
    tolScale: 4,
  },
  {
    id: 'nn/layerNorm',
    inputs: [{ shape: [4, 8] }, { shape: [8], gen: uniform(0.5, 1.5) }, { shape: [8] }],
    run: (e, [x, g, b]) => e.layerNorm(x!, g!, b!, 1e-5),
    grad: true,
    tolScale: 4,
  },
  {
    id: 'nn/layerNorm-3d-shifted',
    inputs: [
      { shape: [2, 3, 16], gen: (rng) => Math.fround(3 + 2 * rng.normal()) },
      { shape: [16] },
      { shape: [16] },
    ],
    run: (e, [x, g, b]) => e.layerNorm(x!, g!, b!, 1e-5),
    grad: true,
    tolScale: 4,
  },
  {
    id: 'nn/attention-causal',
    inputs: [
      { shape: [1, 2, 4, 8] },
      { shape: [1, 2, 4, 8] },
      { shape: [1, 2, 4, 8] },
      { shape: [1, 1, 4, 4], values: causalMask(4), grad: false },
    ],
    run: (e, [q, k, v, m]) => e.attention(q!, k!, v!, m!, 1 / Math.sqrt(8)),
    grad: true,
    tolScale: 4,
  },
  {
    id: 'nn/attention-cross-unmasked',
    inputs: [{ shape: [2, 2, 3, 4] }, { shape: [2, 2, 5, 4] }, { shape: [2, 2, 5, 4] }],
    run: (e, [q, k, v]) => e.attention(q!, k!, v!, null, 0.5),
    grad: true,
    tolScale: 4,
  },
  {
    id: 'nn/linear',
    inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }, { shape: [5] }],
    run: (e, [x, w, b]) => e.linear(x!, w!, b!),
    grad: true,
  },
  {
    id: 'nn/linear-transposed',
    inputs: [{ shape: [3, 4] }, { shape: [5, 4] }],
    run: (e, [x, w]) => e.linear(x!, w!, null, { transposed: true }),
    grad: true,
  },
  {
    id: 'nn/cross-entropy',
    inputs: [
      { shape: [4, 6], gen: normal(2) },
      { shape: [4], dtype: 'int32', gen: ints(0, 6) },
    ],
    run: (e, [logits, labels]) => e.softmaxCrossEntropy(logits!, labels!),
    grad: true,
  },
  {
    id: 'nn/gelu-erf',
    inputs: [{ shape: [3, 5], gen: normal(2) }],
    run: (e, [x]) => e.geluErf(x!),
    grad: true,
  },
  {
    id: 'nn/quick-gelu',
    inputs: [{ shape: [3, 5], gen: normal(2) }],
    run: (e, [x]) => e.quickGelu(x!),
    grad: true,
  },
]);
