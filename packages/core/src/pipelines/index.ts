/** Training and captioning pipelines over the adapter, decoder and feature-source interfaces (browser-safe). */
export * from './feature-source.js';
export * from './memory-feature-source.js';
export * from './feature-batch.js';
export * from './adapter-methods.js';
export * from './epoch-order.js';
export * from './training-examples.js';
export * from './caption-trainer.js';
export * from './caption-generator.js';
export * from './caption-validation.js';
export * from './token-attention.js';
export * from './shapes-caption-check.js';
