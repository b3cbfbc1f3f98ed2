/**
 * ReCap's settings (Paischer et al. 2024, "Linear Alignment of Vision-language Models for
 * Image Captioning", ml-jku/ReCap): how W is fitted, how many captions are retrieved, the
 * prompt, how candidates are decoded and re-ranked, and the datastore-augmentation loop (DAL).
 */
import { z } from 'zod';
import { FIT_METHODS } from '../../alignment/linear-map.js';

export const RecapPromptSchema = z
  .object({
    /** The prompt; `{captions}` is replaced by the retrieved captions joined with `separator`. @default "Similar images show {captions}. This image shows" */
    template: z.string().includes('{captions}', { message: 'must contain {captions}' }).default('Similar images show {captions}. This image shows'),
    /** Between retrieved captions. @default ". " */
    separator: z.string().default('. '),
    /** Start the prompt with the LM's BOS token (GPT-2's <|endoftext|>). @default true */
    bos: z.boolean().default(true),
  })
  .strict();

export const RecapDecodingSchema = z
  .object({
    /** "sampling": `candidates` nucleus samples; "greedy": one candidate. @default "sampling" */
    search: z.enum(['sampling', 'greedy']).default('sampling'),
    /** Candidates decoded per image and re-ranked by aCLIP-S. @default 8 */
    candidates: z.int().min(1).max(256).default(8),
    /** Nucleus mass. @default 0.9 */
    topP: z.number().gt(0).max(1).default(0.9),
    /** @default 1 */
    temperature: z.number().positive().default(1),
    /** Longest candidate in tokens. @default 20 */
    maxNewTokens: z.int().min(1).default(20),
    /** Texts that end a candidate besides EOS (their first token). @default [".", "\n"] */
    stopTexts: z.array(z.string().min(1)).default(['.', '\n']),
    /** Sampling seed. @default 0 */
    seed: z.int().default(0),
  })
  .strict();

export const RecapDalSchema = z
  .object({
    /** Augmentation rounds (0 = none). @default 0 */
    rounds: z.int().min(0).max(100).default(0),
    /** Fraction of the synthetic training captions kept each round, best RefaCLIP-S first. @default 0.1 */
    fraction: z.number().gt(0).max(1).default(0.1),
    /** Training images captioned per round (the first N; 0 = all). @default 0 */
    maxImages: z.int().min(0).default(0),
  })
  .strict();

export const RecapConfigSchema = z
  .object({
    /** Closed-form solver of W. @default "procrustes" (the paper's choice) */
    solver: z.enum(FIT_METHODS).default('procrustes'),
    /** Ridge strength (solver "ridge"). @default 1 */
    alpha: z.number().nonnegative().default(1),
    /** L2-normalise image and caption embeddings before fitting. @default true */
    normalize: z.boolean().default(true),
    /** Captions retrieved per image. @default 4 */
    k: z.int().min(1).max(64).default(4),
    prompt: RecapPromptSchema.prefault({}),
    decoding: RecapDecodingSchema.prefault({}),
    /** Also re-rank the retrieved captions themselves beside the generated ones (for LMs that cannot follow the prompt). @default false */
    rerankRetrieved: z.boolean().default(false),
    dal: RecapDalSchema.prefault({}),
    /** Images captioned together. @default 8 */
    batchSize: z.int().min(1).default(8),
  })
  .strict();

export type RecapConfig = z.infer<typeof RecapConfigSchema>;
export type RecapConfigInput = z.input<typeof RecapConfigSchema>;
