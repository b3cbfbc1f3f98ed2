/**
 * @captune/core/node — the Node-only parts of core (files: checkpoints, tokenizer folders,
 * image decoding with sharp, model folders).
 */
export * from './checkpoint-exports.js';
export * from './tokenizer-exports.js';
export * from './image-exports.js';
export * from '../models/load-language-decoder-folder.js';
export * from './model-folder.js';
export * from './training-exports.js';
export * from './dataset-exports.js';
export * from './feature-exports.js';
export * from './recap-sitta-exports.js';
export * from './datastore-file.js';
export * from './linear-map-file.js';
export * from './shapes-dataset.js';
export * from './shapes-assets.js';
export * from './shapes-render.js';
