/**
 * What captune's models need from a tokenizer. Two implementations: GPT-2 byte-level BPE
 * (gpt2-tokenizer.ts) and CLIP BPE (clip-tokenizer.ts).
 */

export type TokenizerKind = 'gpt2' | 'clip';

export interface EncodeForModelOptions {
  /**
   * Fixed output length. CLIP: as `clip.tokenize(..., truncate=True)` (cut to this length with
   * the last kept id replaced by the end token, then zero-padded). GPT-2: cut to this length,
   * then padded with `padId`. Omitted: no truncation or padding.
   */
  readonly contextLength?: number;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Rows of the model's token embedding this vocabulary needs (largest id + 1). */
  readonly vocabSize: number;
  /** First id of a model input (CLIP `<|startoftext|>`; GPT-2 `<|endoftext|>`). */
  readonly bosId: number;
  /** End of text (`<|endoftext|>` in both). */
  readonly eosId: number;
  /** Padding id (CLIP: 0, as `clip.tokenize` pads; GPT-2: `eosId`). */
  readonly padId: number;
  /** Text → BPE ids, no start/end tokens added. */
  encode(text: string): number[];
  /** Ids → text; invalid UTF-8 becomes U+FFFD as Python's `errors="replace"` does. */
  decode(ids: readonly number[]): string;
  /** Ids → the vocabulary's spelling of each token (byte-level characters, CLIP `</w>`). */
  tokens(ids: readonly number[]): string[];
  /** Id of a vocabulary entry, or undefined. */
  tokenToId(token: string): number | undefined;
  /** The ids the model receives for `text` (CLIP: start + ids + end). */
  encodeForModel(text: string, options?: EncodeForModelOptions): number[];
}
