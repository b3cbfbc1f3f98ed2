/**
 * `clip.tokenize(texts, context_length=77, truncate=False)` from openai/CLIP `clip/clip.py`:
 * one row per text of `<|startoftext|> ids <|endoftext|>`, zero-padded to the context length.
 * Too long: an error naming the text, or with `truncate` cut with the last id made eot.
 */
import { CaptuneError } from '../errors/captune-error.js';
import { fitClipContext, type ClipTokenizer } from './clip-tokenizer.js';
import { checkContextLength } from './gpt2-tokenizer.js';

export interface ClipTokenizeOptions {
  /** @default 77 */
  readonly contextLength?: number;
  /** Cut too-long texts instead of failing. @default false */
  readonly truncate?: boolean;
}

export function clipTokenize(
  tokenizer: ClipTokenizer,
  texts: readonly string[],
  options: ClipTokenizeOptions = {},
): number[][] {
  const n = options.contextLength ?? 77;
  checkContextLength(n);
  return texts.map((text) => {
    const ids = [tokenizer.bosId, ...tokenizer.encode(text), tokenizer.eosId];
    if (ids.length > n && !options.truncate) {
      throw new CaptuneError(
        `input ${JSON.stringify(text)} is too long for context length ${n} (${ids.length} tokens)`,
      );
    }
    return fitClipContext(ids, n, tokenizer.eosId, tokenizer.padId);
  });
}
