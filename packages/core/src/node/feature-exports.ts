/** Node-only feature cache (`captune extract`): re-exported from @captune/core/node. */
export * from './feature-model-identity.js';
export * from './feature-manifest.js';
export * from './feature-encoder.js';
export * from './feature-shard-writer.js';
export * from './feature-shard-reader.js';
export * from './feature-extractor.js';
export * from './feature-cache.js';
