/** Node-only exports of the closed-form methods (re-exported by ./index.ts): fitting runs, method folders, opening a fitted method. */
export * from './recap-method-folder.js';
export * from './sitta-method-file.js';
export * from './recap-sitta-fitted.js';
export * from './recap-fit-run.js';
export * from './sitta-fit-run.js';
