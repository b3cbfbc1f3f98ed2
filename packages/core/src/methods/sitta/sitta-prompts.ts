/**
 * SITTA's word prompts (ml-jku/semantic-image-text-alignment `generate_captions.py`): of the
 * LM tokens nearest to the mapped image embedding, keep the first k distinct ones after
 * decoding, trimming and lower-casing ("Ġred", "red" and "Red" are one word); the prompts are
 * those tokens in ranked order, then random permutations of them, each followed by the text
 * prompt ("A picture of").
 */
import { Rng } from '../../random/rng.js';
import type { Tokenizer } from '../../tokenizers/tokenizer.js';

/** The first `k` ids of `ranked` whose decoded, trimmed, lower-cased text is new. */
export function dedupeTokens(ranked: readonly number[], tokenizer: Pick<Tokenizer, 'decode'>, k: number): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const id of ranked) {
    const key = tokenizer.decode([id]).trim().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(id);
    if (out.length === k) break;
  }
  return out;
}

/** `count` orders of `tokens`: as given first, then random permutations (Fisher–Yates). */
export function tokenPermutations(tokens: readonly number[], count: number, rng: Rng): number[][] {
  const out: number[][] = [[...tokens]];
  for (let c = 1; c < count; c++) {
    const p = [...tokens];
    for (let i = p.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    out.push(p);
  }
  return out;
}

/** [BOS?] + word tokens + the text prompt's ids. */
export function wordPromptIds(tokens: readonly number[], suffix: readonly number[], bos: number | null): number[] {
  return [...(bos === null ? [] : [bos]), ...tokens, ...suffix];
}

/**
 * The logit bias of `wordBias` (row-major [images × permutations, V]): β at each image's word
 * tokens, in every row that decodes one of its permutations (rows grouped by image, as the prompts).
 */
export function wordBiasRows(words: readonly (readonly number[])[], permutations: number, vocabSize: number, beta: number): Float32Array {
  const bias = new Float32Array(words.length * permutations * vocabSize);
  words.forEach((toks, i) => {
    for (let p = 0; p < permutations; p++) for (const t of toks) bias[(i * permutations + p) * vocabSize + t] = beta;
  });
  return bias;
}
