export * from './decoder-search.js';
export * from './decode-session.js';
export * from './greedy-search.js';
export * from './beam-search.js';
export * from './beam-hypotheses.js';
export * from './sampling-search.js';
export * from './ngram-blocking.js';
export * from './decoding-module.js';
