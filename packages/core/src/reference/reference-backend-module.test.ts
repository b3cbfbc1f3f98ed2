import { describe, expect, it } from 'vitest';
import { createBackendRegistry } from '../backend/backend-container.js';
import { ReferenceBackend } from './reference-backend.js';
import { referenceBackendModule } from './reference-backend-module.js';

describe('referenceBackendModule', () => {
  it('makes backend "reference" available from config', async () => {
    const registry = createBackendRegistry([referenceBackendModule]);
    expect(registry.names()).toContain('reference');
    const backend = await registry.create({ backend: 'reference', device: 'auto' });
    expect(backend).toBeInstanceOf(ReferenceBackend);
    expect(backend.device).toBe('cpu');
    const report = await registry.report();
    expect(report).toEqual([
      {
        backend: 'reference',
        device: 'cpu',
        availability: expect.objectContaining({ available: true }),
      },
    ]);
  });

  it('explains that other devices are not driven', async () => {
    const registry = createBackendRegistry([referenceBackendModule]);
    await expect(registry.create({ backend: 'reference', device: 'cuda' })).rejects.toThrow(
      /does not drive device "cuda"/,
    );
  });
});
