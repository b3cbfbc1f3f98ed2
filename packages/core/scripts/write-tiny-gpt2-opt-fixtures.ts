/**
 * Writes the committed tiny GPT-2 / OPT checkpoints under src/models/testing/fixtures/ (each a
 * Hugging Face model folder). Goldens are then produced by numpy_lm_reference.py:
 *
 *   npx tsx packages/core/scripts/write-tiny-gpt2-opt-fixtures.ts
 *   python3 packages/core/scripts/numpy_lm_reference.py packages/core/src/models/testing/fixtures/*
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyGpt2Checkpoint } from '../src/models/testing/tiny-gpt2.js';
import { tinyOptCheckpoint } from '../src/models/testing/tiny-opt.js';
import { writeCheckpointFiles } from '../src/models/testing/write-checkpoint-files.js';

const core = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(core, 'src/models/testing/fixtures');

// The first 43 GPT-2 merges: a 300-token vocabulary that is a prefix of GPT-2's.
const bpe = await readFile(join(core, 'fixtures/vocab/vocab.bpe'), 'utf8');
const merges = bpe
  .split('\n')
  .slice(1, 44)
  .map((line) => line.split(' ') as [string, string]);

await writeCheckpointFiles(join(out, 'tiny-gpt2'), tinyGpt2Checkpoint({ seed: 1, merges, maskBuffers: true }));
await writeCheckpointFiles(
  join(out, 'tiny-gpt2-fp16'),
  tinyGpt2Checkpoint({ seed: 2, dtype: 'F16', prefix: 'transformer.', lmHead: true, scaleAttnByInverseLayerIdx: true }),
);
await writeCheckpointFiles(join(out, 'tiny-opt'), tinyOptCheckpoint({ seed: 3 }));
await writeCheckpointFiles(
  join(out, 'tiny-opt-post-ln'),
  tinyOptCheckpoint({ seed: 4, dtype: 'BF16', prefix: 'decoder.', doLayerNormBefore: false, wordEmbedProjDim: 24, lmHead: true }),
);
console.log(`wrote tiny checkpoints to ${out}`);
