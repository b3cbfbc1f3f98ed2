/**
 * SITTA's settings (Paischer et al. 2023, "Semantic Image-Text Alignment for Image
 * Captioning", ml-jku/semantic-image-text-alignment): where the correspondences come from,
 * the solver, the CLIP prompt templates, the word vocabulary, and the word-prompt decoding.
 */
import { z } from 'zod';
import { FIT_METHODS } from '../../alignment/linear-map.js';

/** A handful of openai/CLIP ImageNet templates (SITTA averages all 80 of them). */
export const SITTA_TEMPLATES = [
  'a photo of a {}.',
  'a picture of a {}.',
  'a photo of the {}.',
  'a close-up photo of a {}.',
  'a rendering of a {}.',
  'an image of a {}.',
] as const;

export const SittaConfigSchema = z
  .object({
    /** "tokens": each LM word token in CLIP templates ↔ its LM embedding; "pairs": CLIP image ↔ LM embeddings of the caption's content words. @default "tokens" */
    source: z.enum(['tokens', 'pairs']).default('tokens'),
    /** Closed-form solver (procrustes: a semi-orthogonal W when the CLIP and LM sizes differ). @default "ols" (SITTA's linear_reg) */
    solver: z.enum(FIT_METHODS).default('ols'),
    /** Ridge strength (solver "ridge"). @default 1 */
    alpha: z.number().nonnegative().default(1),
    /** CLIP prompt templates, `{}` replaced by the token's word (source "tokens"). */
    templates: z.array(z.string().includes('{}', { message: 'must contain {}' })).min(1).default([...SITTA_TEMPLATES]),
    /** Which LM tokens are words: "words" every token decoding to an alphabetic string; "caption-words" the tokens of the training captions' content words (stop words removed; " red", not "Red"), the tokens a "pairs" fit targets. The LM-side z-scoring uses this vocabulary's statistics. @default "words" */
    vocabulary: z.enum(['words', 'caption-words']).default('words'),
    /**
     * The LM-side space the map targets and the nearest tokens are searched in: "zscore" (SITTA's
     * reference: per-dimension z-scoring with the vocabulary's statistics) or "whiten" (z-scoring,
     * then ZCA whitening over the vocabulary: lm-whitening.ts). Whitening helps when the
     * vocabulary's words of one kind share most of their embeddings, as a small caption-trained
     * LM's do (the shapes world: first kind word right 55% vs 37%). @default "zscore"
     */
    lmSpace: z.enum(['zscore', 'whiten']).default('zscore'),
    /** Eigenvalue floor of the whitening, relative to the largest eigenvalue (lmSpace "whiten"). @default 0.01 */
    whitenEpsilon: z.number().gt(0).max(1).default(0.01),
    /** Keep at most this many word tokens (lowest ids first; 0 = all; vocabulary "words"). @default 0 */
    maxTokens: z.int().min(0).default(0),
    /** Tokens in the word prompt (after de-duplication). @default 8 */
    k: z.int().min(1).max(64).default(8),
    /** Nearest tokens considered before de-duplication. @default 50 */
    searchTokens: z.int().min(1).default(50),
    /** Prompts decoded per image: the ranked order plus random permutations. @default 10 */
    permutations: z.int().min(1).max(256).default(10),
    /**
     * Added to the logits of the word prompt's tokens at every decoding step (0 = off, the
     * reference). A captune extension for LMs that never saw a word list before a caption (the
     * shapes GPT-2 continues "[words] a" with an unrelated caption): a soft lexical constraint
     * that makes the candidates use the retrieved words, which CLIP then re-ranks. @default 0
     */
    wordBias: z.number().min(0).default(0),
    /** Text after the word prompt. @default "A picture of" */
    prompt: z.string().default('A picture of'),
    /** Start with the LM's BOS token (GPT-2 saw <|endoftext|> first in training). @default true */
    bos: z.boolean().default(true),
    /** How each prompt is decoded, as SITTA's `generate_captions.py --decoding`: greedy, or sampling from the full distribution ("sampling"), the top-k tokens ("topk") or the top-p nucleus ("nucleus"). Sampled candidates are more diverse, which gives CLIP re-ranking more to choose from. @default "greedy" */
    decoding: z.enum(['greedy', 'sampling', 'topk', 'nucleus']).default('greedy'),
    /** Tokens kept by "topk". @default 640 (SITTA) */
    topK: z.int().min(1).default(640),
    /** Probability mass kept by "nucleus". @default 0.95 (SITTA) */
    topP: z.number().gt(0).max(1).default(0.95),
    /** Sampling temperature. @default 1 */
    temperature: z.number().positive().default(1),
    /** @default 20 */
    maxNewTokens: z.int().min(1).default(20),
    /** Texts that end a caption besides EOS (their first token). @default [".", "\n"] */
    stopTexts: z.array(z.string().min(1)).default(['.', '\n']),
    /** Seed of the permutations and of sampling. @default 101 */
    seed: z.int().default(101),
    /** Images captioned together. @default 4 */
    batchSize: z.int().min(1).default(4),
  })
  .strict();

export type SittaConfig = z.infer<typeof SittaConfigSchema>;
export type SittaConfigInput = z.input<typeof SittaConfigSchema>;
