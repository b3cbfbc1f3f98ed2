export * from './caption-adapter.js';
export * from './ituning-adapter.js';
export * from './clipcap-mapper.js';
export * from './caption-loss.js';
export * from './sampled-softmax.js';
