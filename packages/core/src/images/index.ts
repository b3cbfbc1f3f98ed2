/** Browser-safe image math: PIL-exact resampling and CLIP preprocessing on decoded pixels. */
export * from './image8.js';
export * from './pil-resample.js';
export * from './clip-preprocess.js';
