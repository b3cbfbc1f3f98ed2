/** Browser-safe tokenizer exports (re-exported by the core entry point). */
export type { EncodeForModelOptions, Tokenizer, TokenizerKind } from './tokenizer.js';
export {
  Gpt2Tokenizer,
  GPT2_EOS_TOKEN,
  GPT2_PATTERN,
  type Gpt2TokenizerOptions,
} from './gpt2-tokenizer.js';
export {
  ClipTokenizer,
  CLIP_EOT_TOKEN,
  CLIP_PATTERN,
  CLIP_SOT_TOKEN,
  fitClipContext,
  type ClipTokenizerOptions,
} from './clip-tokenizer.js';
export { clipTokenize, type ClipTokenizeOptions } from './clip-tokenize.js';
export {
  clipVocabFromBpeText,
  CLIP_MERGE_COUNT,
  parseMergesText,
  parseTokenizerJson,
  parseVocabJson,
  type Merge,
  type TokenizerJson,
} from './bpe-files.js';
export { Bpe, type BpeOptions } from './bpe.js';
export { bytesToUnicode, unicodeToBytes } from './bytes-to-unicode.js';
export { htmlUnescape } from './html-unescape.js';
export { ftfySubset } from './ftfy-subset.js';
export { decodeUtf8Replace, encodeUtf8 } from './utf8.js';
