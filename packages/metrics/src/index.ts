/**
 * @captune/metrics — COCO caption metrics as pycocoevalcap computes them (BLEU, METEOR, ROUGE-L,
 * CIDEr-D, SPICE through its jar) and the CLIP-based CLIP-S, RefCLIP-S, aCLIP-S, RefaCLIP-S.
 */
export * from './score.js';
export * from './tokenize/coco-tokenize.js';
export * from './tokenize/ptb-tokenizer.js';
export { americanize } from './tokenize/americanize.js';
export * from './bleu/bleu.js';
export * from './rouge/rouge-l.js';
export * from './cider/cider-d.js';
export * from './meteor/index.js';
export * from './spice/index.js';
export * from './clip-score/index.js';
export * from './util/ngram-counts.js';
export { npMean, npSum } from './util/numpy-mean.js';
export * from './io/read-references.js';
export * from './io/read-results.js';
export * from './io/read-caption-file.js';
