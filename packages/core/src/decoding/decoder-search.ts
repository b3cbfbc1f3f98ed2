/**
 * Decoding is a strategy: greedy, beam search and sampling implement one `DecoderSearch`
 * interface over a `DecodeSession` (the model's `step(tokens, cache) → logits` with the KV cache
 * on the device). Strategies are bound to the `DecoderSearch` token in the container
 * (decoding-module.ts), so a user can add one.
 */
import { z } from 'zod';
import type { DecodeSession } from './decode-session.js';

export const DecoderSearch = Symbol.for('captune.DecoderSearch');

export const DecodeOptionsSchema = z
  .object({
    /** Most tokens generated per row (EOS included). @default 20 */
    maxNewTokens: z.number().int().min(1).default(20),
    /** Fewest tokens before EOS / stop tokens may end a row. @default 0 */
    minNewTokens: z.number().int().min(0).default(0),
    /** Beams per row (beam search). @default 5 */
    numBeams: z.number().int().min(1).default(5),
    /** Hypothesis score = Σ log p / length^lengthPenalty (beam search). @default 1 */
    lengthPenalty: z.number().default(1),
    /** Forbid repeating any n-gram of this size within a row (0 = off). @default 0 */
    noRepeatNgramSize: z.number().int().min(0).default(0),
    /** Extra token ids that end a row like EOS (e.g. the id of "."). @default [] */
    stopTokenIds: z.array(z.number().int().min(0)).default([]),
    /** Sampling: keep the k most likely tokens (0 = all). @default 0 */
    topK: z.number().int().min(0).default(0),
    /** Sampling: keep the smallest set with probability ≥ topP. @default 1 */
    topP: z.number().gt(0).max(1).default(1),
    /** Sampling temperature. @default 1 */
    temperature: z.number().positive().default(1),
    /** Sampling seed. @default 0 */
    seed: z.number().int().default(0),
  })
  .strict();
export type DecodeOptions = z.infer<typeof DecodeOptionsSchema>;

export interface DecodedSequence {
  /** Generated ids, the ending EOS / stop token included when there was one (as Hugging Face's `generate` returns them). */
  readonly tokens: number[];
  /** log p (natural) of each generated token under the model (before any search-time masking). */
  readonly logprobs: number[];
  /** The search's own objective for this sequence (Σ logprobs for greedy/sampling; Σ / length^lp for beams). */
  readonly score: number;
  readonly finish: 'eos' | 'stop' | 'length';
}

export interface DecoderSearch {
  /** Name used in config and on the CLI (`--search`). */
  readonly name: string;
  /** Decodes every row of the session; one result per original batch row, in order. Disposes nothing it did not create. */
  decode(session: DecodeSession, options: DecodeOptions): Promise<DecodedSequence[]>;
}

/** Token ids that end a row. */
export function endTokens(session: DecodeSession, options: DecodeOptions): Set<number> {
  return new Set([session.eosTokenId, ...options.stopTokenIds]);
}

export function finishOf(token: number, session: DecodeSession): 'eos' | 'stop' {
  return token === session.eosTokenId ? 'eos' : 'stop';
}
