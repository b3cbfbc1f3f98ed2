/** CLIP-S, RefCLIP-S (Hessel et al. 2021) and aCLIP-S, RefaCLIP-S (ReCap, Paischer et al. 2024). */
export * from './clip-embedder.js';
export * from './clip-score.js';
export * from './alignment-file.js';
export * from './clip-folder-embedder.js';
export * from './image-paths.js';
