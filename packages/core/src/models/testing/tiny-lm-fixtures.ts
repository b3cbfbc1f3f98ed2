/**
 * The committed tiny language-model checkpoints (src/models/testing/fixtures/*): which generator
 * options made each folder. scripts/write-tiny-gpt2-opt-fixtures.ts writes them;
 * scripts/numpy_lm_reference.py adds each folder's goldens.json.
 */
import type { CheckpointFiles } from './checkpoint-files.js';
import { tinyGpt2Checkpoint } from './tiny-gpt2.js';
import { tinyOptCheckpoint } from './tiny-opt.js';

/** How many of GPT-2's merges the tiny GPT-2 vocabulary keeps (300 tokens in all). */
export const TINY_GPT2_MERGES = 43;

/** The first `TINY_GPT2_MERGES` merges of GPT-2's vocab.bpe text. */
export function tinyGpt2Merges(vocabBpe: string): [string, string][] {
  return vocabBpe
    .split('\n')
    .slice(1, 1 + TINY_GPT2_MERGES)
    .map((line) => line.split(' ') as [string, string]);
}

/** Folder name → files. `vocabBpe` is GPT-2's vocab.bpe (packages/core/fixtures/vocab/). */
export function tinyLmFixtures(vocabBpe: string): Record<string, CheckpointFiles> {
  return {
    // The hub's gpt2 layout: no prefix, attn.bias buffers, tokenizer files.
    'tiny-gpt2': tinyGpt2Checkpoint({ seed: 1, merges: tinyGpt2Merges(vocabBpe), maskBuffers: true }),
    // save_pretrained layout in fp16, with lm_head.weight and per-layer attention scaling.
    'tiny-gpt2-fp16': tinyGpt2Checkpoint({ seed: 2, dtype: 'F16', prefix: 'transformer.', lmHead: true, scaleAttnByInverseLayerIdx: true }),
    // facebook/opt-125m-like: pre-LN.
    'tiny-opt': tinyOptCheckpoint({ seed: 3 }),
    // facebook/opt-350m-like: post-LN, project_in/out, `decoder.` prefix, bf16.
    'tiny-opt-post-ln': tinyOptCheckpoint({
      seed: 4,
      dtype: 'BF16',
      prefix: 'decoder.',
      doLayerNormBefore: false,
      wordEmbedProjDim: 24,
      lmHead: true,
    }),
  };
}
