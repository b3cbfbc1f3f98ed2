/** Browser-safe checkpoint I/O: safetensors bytes, dtype conversion, Hugging Face configs. */
export * from './safetensors-dtype.js';
export * from './safetensors-header.js';
export * from './dtype-convert.js';
export * from './decode-tensor.js';
export * from './tensor-source.js';
export * from './safetensors-buffer.js';
export * from './safetensors-serialize.js';
export { HF_ACTIVATIONS, type HfActivation } from './hf-config-schema.js';
export * from './gpt2-config.js';
export * from './clip-config.js';
export * from './clip-image-processor-config.js';
export * from './opt-config.js';
export * from './gpt-neo-config.js';
export * from './hf-model-type.js';
