/** Every conformance case, in a stable order. */
import type { ConformanceCase } from '../conformance-case.js';
import { creationCases } from './creation.js';
import { elementwiseCases } from './elementwise.js';
import { indexingCases } from './indexing.js';
import { matmulCases } from './matmul.js';
import { nnCases } from './nn.js';
import { reductionCases } from './reductions.js';
import { shapeCases } from './shape-ops.js';

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  ...elementwiseCases,
  ...matmulCases,
  ...reductionCases,
  ...nnCases,
  ...shapeCases,
  ...indexingCases,
  ...creationCases,
];
