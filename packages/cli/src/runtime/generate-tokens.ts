/**
 * The work behind `captune generate`: opens the language model folder, builds the prompt, and
 * runs the chosen `DecoderSearch` (core's search registry) over a `DecodeSession`.
 */
import {
  CaptuneError,
  createSearchRegistry,
  DecodeOptionsSchema,
  DecodeSession,
  type Engine,
} from '@captune/core';
import { openLanguageModelFolder } from '@captune/core/node';
import type { GenerateResult } from '../commands/generate-command.js';
import { promptIds, type PromptSource } from './lm-prompt.js';

export interface GenerateInput {
  readonly model: string;
  readonly source: PromptSource;
  /** A search name of core's registry: greedy, beam, sample. */
  readonly search: string;
  /** Decoding options (DecodeOptionsSchema input). */
  readonly decode: Record<string, unknown>;
}

export async function generateTokens(
  engine: Engine,
  input: GenerateInput,
): Promise<GenerateResult> {
  const options = DecodeOptionsSchema.parse(input.decode);
  const search = createSearchRegistry().get(input.search);
  const lm = await openLanguageModelFolder(engine, input.model);
  try {
    const prompt = await promptIds(input.source, lm, input.model, { emptyAsBos: true });
    const { maxPositions, eosTokenId } = lm.decoder.config;
    // The last generated token is never fed back: prompt + max-new-tokens − 1 positions at most.
    if (prompt.length + options.maxNewTokens - 1 > maxPositions) {
      throw new CaptuneError(
        `the prompt (${prompt.length} tokens) plus --max-new-tokens ${options.maxNewTokens} exceeds the ${maxPositions} positions of ${input.model}`,
      );
    }
    const session = new DecodeSession({ decoder: lm.decoder, prompts: [prompt] });
    let out;
    try {
      [out] = await search.decode(session, options);
    } finally {
      session.dispose();
    }
    const generated = out!.tokens;
    const visible = generated.at(-1) === eosTokenId ? generated.slice(0, -1) : generated;
    return {
      prompt_ids: prompt,
      generated_ids: generated,
      text: lm.tokenizer ? lm.tokenizer.decode(visible) : null,
      logprobs: out!.logprobs,
      finish: out!.finish,
    };
  } finally {
    lm.dispose();
  }
}
