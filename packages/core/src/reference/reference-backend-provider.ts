/**
 * Provides the reference backend (`backend: "reference"`): plain TypeScript on the CPU,
 * always available. Slow; meant for tests, conformance and debugging.
 */
import type { Backend, DeviceName } from '../backend/backend.js';
import type { Availability, BackendProvider } from '../backend/backend-provider.js';
import { BackendUnavailableError } from '../errors/captune-error.js';
import { ReferenceBackend } from './reference-backend.js';

export class ReferenceBackendProvider implements BackendProvider {
  readonly name = 'reference';
  readonly devices: readonly DeviceName[] = ['cpu'];

  async probe(device: DeviceName): Promise<Availability> {
    if (device === 'cpu')
      return { available: true, detail: 'plain TypeScript, float64 internally' };
    return {
      available: false,
      reason: `the reference backend runs only on the CPU, not "${device}"`,
      remedy: 'Use device "cpu" (or "auto").',
    };
  }

  async create(device: DeviceName): Promise<Backend> {
    if (device !== 'cpu') {
      throw new BackendUnavailableError(
        'reference',
        device,
        'the reference backend runs only on the CPU',
        'Use device "cpu".',
      );
    }
    return new ReferenceBackend();
  }
}
