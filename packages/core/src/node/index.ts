/**
 * @captune/core/node — the Node-only parts of core (files: checkpoints, tokenizer folders).
 */
export * from './checkpoint-exports.js';
export * from './tokenizer-exports.js';
