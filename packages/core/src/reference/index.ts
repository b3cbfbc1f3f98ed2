/** The reference backend: ground truth of the op contract. */
export { ReferenceBackend, ReferenceHandle } from './reference-backend.js';
export { ReferenceBackendProvider } from './reference-backend-provider.js';
export { referenceBackendModule } from './reference-backend-module.js';
export { erf } from './erf.js';
