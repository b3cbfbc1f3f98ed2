/** METEOR 1.5 (pycocoevalcap's `-l en -norm` configuration), reimplemented in TypeScript. */
export { meteorScore, createMeteorScorer, type MeteorOptions, type MeteorResult } from './meteor-score.js';
export { MeteorScorer, stdioSegments } from './meteor-scorer.js';
export { MeteorStats, METEOR_15_EN_DEFAULT, type MeteorParameters } from './meteor-stats.js';
export { align, type Alignment, type AlignerResources, type MeteorModule } from './aligner.js';
export { type Match, javaHash } from './matchers.js';
export { normalizeLineEnglish, meteorNormalize } from './normalizer.js';
export { snowballEnglishStem } from './snowball-english.js';
export { SynonymDictionary } from './synonym-dictionary.js';
export { ParaphraseTable } from './paraphrase-table.js';
