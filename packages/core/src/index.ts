/**
 * @captune/core — browser-safe entry: the op contract, the engine and autodiff, optimizers,
 * tokenizers, checkpoint formats, models and decoding. Node-only parts: `@captune/core/node`.
 */
export * from './backend/backend.js';
export * from './backend/backend-provider.js';
export * from './backend/backend-registry.js';
export * from './backend/backend-container.js';
export * from './errors/captune-error.js';
export * from './tensor/dtype.js';
export * from './tensor/shape.js';
export * from './engine/tensor.js';
export * from './engine/engine-base.js';
export * from './engine/engine.js';
export type { MatmulArgs } from './engine/reduce-ops.js';
export * from './random/rng.js';
export * from './optim/adamw.js';
export * from './optim/clip-grad-norm.js';
export * from './optim/lr-schedule.js';
export * from './checkpoint/index.js';
export * from './tokenizers/index.js';
export * from './decoding/index.js';
export * from './models/index.js';
export * from './images/index.js';
export * from './adapters/index.js';
export * from './data/index.js';
export * from './config/index.js';
export * from './pipelines/index.js';
export * from './reference/index.js';
export * from './methods/index.js';
export * from './alignment/index.js';
export * from './retrieval/index.js';
export * from './shapes/index.js';
