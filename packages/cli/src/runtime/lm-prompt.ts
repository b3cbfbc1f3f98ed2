/**
 * The prompt of `captune generate` / `lm-score`: `--text` (tokenised with the model folder's
 * tokenizer as Hugging Face's `tokenizer(text)` does: GPT-2 adds nothing, OPT prepends its BOS
 * `</s>`) or `--ids` (checked against the model's vocabulary).
 */
import type { LanguageModelFolder } from '@captune/core/node';
import { UsageError, type ParsedArgs } from '../command.js';
import { outOfVocab, parseIds } from './option-values.js';

export const PROMPT_OPTIONS = {
  text: { type: 'string', short: 't' },
  ids: { type: 'string' },
} as const;

export type PromptSource = { readonly text: string } | { readonly ids: readonly number[] };

/** Exactly one of `--text` / `--ids`. */
export function promptSource(values: ParsedArgs['values']): PromptSource {
  const text = values.text as string | undefined;
  const ids = values.ids as string | undefined;
  if (text !== undefined && ids !== undefined)
    throw new UsageError('give either --text or --ids, not both');
  if (text !== undefined) return { text };
  if (ids !== undefined) return { ids: parseIds(ids) };
  throw new UsageError('missing the prompt: give --text STR or --ids 1,2,3');
}

/** Model families whose Hugging Face tokenizer prepends the BOS token (`add_bos_token`). */
const PREPENDS_BOS = new Set(['opt']);

/**
 * The prompt's token ids for `lm`. An empty text gives no ids (GPT-2), or `[bos]` with
 * `emptyAsBos` (unconditional generation). Throws a one-line CaptuneError for ids outside the vocabulary or a
 * text prompt on a folder without tokenizer files.
 */
export async function promptIds(
  source: PromptSource,
  lm: LanguageModelFolder,
  folder: string,
  options: { readonly emptyAsBos?: boolean } = {},
): Promise<number[]> {
  const { CaptuneError } = await import('@captune/core');
  const config = lm.decoder.config;
  if ('ids' in source) {
    const bad = outOfVocab(source.ids, config.vocabSize);
    if (bad !== undefined) {
      throw new CaptuneError(
        `--ids: token id ${bad} is outside the vocabulary of ${folder} (ids 0…${config.vocabSize - 1})`,
      );
    }
    return [...source.ids];
  }
  if (!lm.tokenizer) {
    throw new CaptuneError(
      `${folder}: no tokenizer files (vocab.json + merges.txt, tokenizer.json, …): give the prompt as --ids`,
    );
  }
  const ids = lm.tokenizer.encode(source.text);
  if (PREPENDS_BOS.has(config.modelType)) ids.unshift(config.bosTokenId);
  if (ids.length === 0 && options.emptyAsBos) ids.push(config.bosTokenId);
  return ids;
}
