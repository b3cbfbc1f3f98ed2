/**
 * `@captune/core/conformance`: the op conformance suite every backend runs under vitest,
 * and its parts (cases, checks) for tools that want them without the runner.
 */
export {
  runConformanceSuite,
  validateSkips,
  listConformanceCases,
  type ConformanceSuiteOptions,
} from './run-conformance-suite.js';
export { CONFORMANCE_CASES } from './cases/index.js';
export {
  checkForward,
  checkGradients,
  checkFiniteDifferences,
  type FiniteDifferenceOptions,
} from './checks.js';
export { ConformanceMismatch } from './compare.js';
export {
  DEFAULT_TOLERANCES,
  type ConformanceCase,
  type InputSpec,
  type Tolerances,
} from './conformance-case.js';
export { ReferenceBackend } from '../reference/reference-backend.js';
