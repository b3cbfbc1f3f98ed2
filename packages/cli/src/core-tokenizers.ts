/** Tokenizer imports for the CLI. */
export { loadTokenizer } from '@captune/core/node';
export type { Tokenizer } from '@captune/core';
