/** Browser-safe dataset parsing: every supported file format into a `CaptionDataset`. */
export * from './caption-dataset.js';
export * from './image-path.js';
export * from './build-caption-dataset.js';
export * from './csv-table.js';
export * from './karpathy-dataset.js';
export * from './coco-captions-dataset.js';
export * from './pairs-dataset.js';
export * from './parse-dataset-text.js';
