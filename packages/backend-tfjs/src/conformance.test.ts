// core's op conformance suite (forward, gradients, errors, freeing) on the tfjs wasm and cpu devices.
import { runConformanceSuite } from '@captune/core/conformance';
import { tfjsBackendProvider } from './tfjs-backend-provider.js';

for (const device of ['wasm', 'cpu'] as const) {
  runConformanceSuite({
    name: `tfjs (${device})`,
    createBackend: () => tfjsBackendProvider.create(device),
    // Core's finite-difference checks run on the reference only: core's own suite covers them.
    finiteDifferences: false,
  });
}
