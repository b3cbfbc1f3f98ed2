/** SITTA (Paischer et al. 2023): a linear map from CLIP space into the LM's token embeddings, word prompts, re-ranking. */
export * from './sitta-config.js';
export * from './sitta-vocabulary.js';
export * from './sitta-fit.js';
export * from './sitta-prompts.js';
export * from './sitta-captioner.js';
