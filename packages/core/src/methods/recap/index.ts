/** ReCap (Paischer et al. 2024): linear alignment in CLIP space, retrieval-augmented prompting, re-ranking, DAL. */
export * from './clip-text-embedder.js';
export * from './recap-config.js';
export * from './recap-prompt.js';
export * from './recap-alignment.js';
export * from './recap-rerank.js';
export * from './recap-captioner.js';
export * from './recap-dal.js';
