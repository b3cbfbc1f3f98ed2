/**
 * Model definitions on core's op contract: the language-decoder interface and its families
 * (GPT-2, OPT), the KV cache, the model_type factory, and CLIP. Browser-safe; the Node folder
 * loader is `loadLanguageDecoderFolder` in `@captune/core/node`.
 */
export * from './language-decoder.js';
export * from './kv-cache.js';
export * from './decoder-inputs.js';
export * from './decoder-base.js';
export * from './decoder-attention.js';
export * from './hf-activation.js';
export * from './weights/checkpoint-weights.js';
export * from './gpt2/gpt2-weights.js';
export * from './gpt2/gpt2-model.js';
export * from './opt/opt-weights.js';
export * from './opt/opt-model.js';
export * from './load-language-decoder.js';
export * from './clip/index.js';
