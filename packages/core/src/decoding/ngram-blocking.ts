/**
 * Token bans applied before choosing the next token: `no_repeat_ngram_size` (as Hugging Face's
 * `NoRepeatNGramLogitsProcessor`: a token that would complete an n-gram already present in the
 * row is banned) and `min_new_tokens` (end tokens banned until enough tokens exist).
 */

/** Tokens that would repeat an n-gram of size n, given the row's tokens so far. */
export function bannedByNgram(tokens: readonly number[], n: number): number[] {
  if (n <= 0 || tokens.length + 1 < n) return [];
  const prefix = tokens.slice(tokens.length - (n - 1)).join(',');
  const banned: number[] = [];
  for (let i = 0; i + n <= tokens.length; i++) {
    if (tokens.slice(i, i + n - 1).join(',') === prefix) banned.push(tokens[i + n - 1]!);
  }
  return banned;
}

/** Tokens banned for a row at this step; `tokens` is the row's prompt followed by what it generated. */
export function bannedTokens(
  tokens: readonly number[],
  generated: number,
  options: { noRepeatNgramSize: number; minNewTokens: number },
  ends: ReadonlySet<number>,
): number[] {
  const out = bannedByNgram(tokens, options.noRepeatNgramSize);
  if (generated < options.minNewTokens) out.push(...ends);
  return out;
}
