/** CLIP (Hugging Face `CLIPModel` layout) on core's op contract. */
export * from './clip-weights.js';
export * from './clip-encoder.js';
export * from './clip-vision.js';
export * from './clip-text.js';
export * from './clip-model.js';
