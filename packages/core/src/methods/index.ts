/** Closed-form captioning methods on frozen CLIP + a frozen LM: ReCap and SITTA. */
export * from './fitted-captioner.js';
export * from './recap/index.js';
export * from './sitta/index.js';
