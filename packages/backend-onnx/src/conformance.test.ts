// core's op conformance suite (forward, gradients, finite differences, errors, freeing) on the onnx backend, cpu EP.
import { runConformanceSuite } from '@captune/core/conformance';
import { onnxBackendProvider } from './onnx-backend-provider.js';

runConformanceSuite({
  name: 'onnx (cpu)',
  createBackend: () => onnxBackendProvider.create('cpu'),
});
