export * from './caption-datastore.js';
export * from './merge-top-k.js';
export * from './exact-search.js';
