/** Node-only checkpoint I/O: safetensors files and Hugging Face model folders on disk. */
export * from './safetensors-file.js';
export * from './safetensors-writer.js';
export * from './checkpoint-folder.js';
export * from './hf-config-file.js';
