/**
 * The work behind `captune lm-score`: log p(ids[i] | ids[<i]) for every position of one sequence
 * in a single forward pass — log_softmax over the vocabulary at every position, the target of
 * each gathered on the device, one read-back of T − 1 numbers.
 */
import { CaptuneError, type Engine } from '@captune/core';
import { openLanguageModelFolder } from '@captune/core/node';
import { promptIds, type PromptSource } from './lm-prompt.js';

export interface ScoreResult {
  readonly ids: number[];
  /** logprobs[0] is null (nothing predicts the first token); natural log. */
  readonly logprobs: (number | null)[];
  /** The vocabulary's spelling of each id (when the folder has a tokenizer). */
  readonly tokens?: string[];
}

export async function scoreTokens(
  engine: Engine,
  model: string,
  source: PromptSource,
): Promise<ScoreResult> {
  const lm = await openLanguageModelFolder(engine, model);
  const e = engine;
  try {
    const ids = await promptIds(source, lm, model);
    if (ids.length === 0)
      throw new CaptuneError('--text: the text has no tokens: nothing to score');
    const { maxPositions, vocabSize: V } = lm.decoder.config;
    if (ids.length > maxPositions) {
      throw new CaptuneError(
        `the sequence has ${ids.length} tokens, more than the ${maxPositions} positions of ${model}`,
      );
    }
    const T = ids.length;
    const logprobs: (number | null)[] = [null];
    if (T > 1) {
      // Flat index of ids[i] in row i − 1 of the [T − 1, V] log-probabilities.
      const targets = Int32Array.from({ length: T - 1 }, (_, i) => i * V + ids[i + 1]!);
      const picked = e.tidy(() => {
        const x = e.tensor(Int32Array.from(ids.slice(0, -1)), [1, T - 1], 'int32'); // [1, T-1]
        const hidden = lm.decoder.forward({ inputIds: x, useCache: false }).hidden; // [1, T-1, E]
        const logp = e.logSoftmax(lm.decoder.logits(hidden)); // [1, T-1, V]
        return e.gather(e.reshape(logp, [(T - 1) * V]), e.tensor(targets, [T - 1], 'int32')); // [T-1]
      });
      const data = await e.read(picked);
      e.dispose(picked);
      logprobs.push(...Array.from(data));
    }
    return { ids, logprobs, ...(lm.tokenizer ? { tokens: lm.tokenizer.tokens(ids) } : {}) };
  } finally {
    lm.dispose();
  }
}
