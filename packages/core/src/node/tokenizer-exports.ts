/** Node-only tokenizer exports (re-exported by ./index.ts): loading from a folder. */
export {
  loadTokenizer,
  TOKENIZER_FILE_SETS,
  type LoadTokenizerOptions,
} from './tokenizer-folder.js';
