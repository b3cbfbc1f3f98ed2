/** Node-only dataset loading (files and folders); re-exported from @captune/core/node. */
export * from './dataset-loader.js';
export * from './dataset-folder.js';
