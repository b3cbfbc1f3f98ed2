/**
 * The conformance suite on the reference backend itself. Forward and gradient comparisons
 * are trivially equal here; the float64 finite-difference checks are the real test of
 * core's gradient definitions. checks.test.ts shows the machinery catches broken backends.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../reference/reference-backend.js';
import { listConformanceCases, runConformanceSuite } from './run-conformance-suite.js';

runConformanceSuite({ name: 'reference', createBackend: async () => new ReferenceBackend() });

describe('conformance case table', () => {
  it('has unique ids of the form group/name', () => {
    const ids = listConformanceCases();
    expect(ids.length).toBeGreaterThan(100);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^(elementwise|matmul|reductions|nn|shape|indexing|creation)\/[\w-]+$/);
  });
});
