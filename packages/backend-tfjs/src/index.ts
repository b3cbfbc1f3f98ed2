/** @captune/backend-tfjs: core's op contract on TensorFlow.js (wasm, cpu, tfjs-node, tfjs-node-gpu). */
export { TfjsBackend, type TfjsBackendOptions } from './tfjs-backend.js';
export {
  TfjsBackendProvider,
  tfjsBackendModule,
  tfjsBackendProvider,
} from './tfjs-backend-provider.js';
export {
  TFJS_DEVICES,
  loadRuntime,
  type TfjsDevice,
  type TfjsRuntime,
  type TfNamespace,
} from './tfjs-runtime.js';
