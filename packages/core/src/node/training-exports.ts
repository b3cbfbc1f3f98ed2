/** Node-only training and run-folder exports (re-exported by ./index.ts): checkpoints, the log, plots, runs. */
export * from './training-checkpoint.js';
export * from './training-log.js';
export * from './training-run.js';
export * from './plot-svg.js';
export * from './plot-training-curves.js';
export * from './run-data.js';
export * from './run-captioner.js';
export * from './attention-map.js';
export * from './run-train.js';
export * from './run-eval.js';
