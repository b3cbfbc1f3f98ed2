export * from './shape-scene.js';
export * from './generate-scene.js';
export * from './scene-captions.js';
export * from './scene-svg.js';
export * from './shapes-splits.js';
