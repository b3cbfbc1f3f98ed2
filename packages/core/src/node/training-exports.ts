/** Node-only training and run-folder exports (re-exported by ./index.ts): checkpoints, the log, plots, runs. */
export * from './training-checkpoint.js';
export * from './training-log.js';
export * from './training-run.js';
export * from './plot-svg.js';
export * from './plot-training-curves.js';
