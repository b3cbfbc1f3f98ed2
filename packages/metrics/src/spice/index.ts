/** SPICE 1.0 via the official jar (pycocoevalcap's invocation). */
export {
  spiceScore,
  buildSpiceInput,
  parseSpiceOutput,
  spiceArgs,
  SpiceUnavailableError,
  type SpiceOptions,
  type SpiceResult,
} from './spice-score.js';
