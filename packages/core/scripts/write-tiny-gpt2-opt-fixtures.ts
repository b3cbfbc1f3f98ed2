/**
 * Writes the committed tiny GPT-2 / OPT checkpoints under src/models/testing/fixtures/ (each a
 * Hugging Face model folder), then run the numpy reference for their goldens:
 *
 *   npx tsx packages/core/scripts/write-tiny-gpt2-opt-fixtures.ts
 *   python3 packages/core/scripts/numpy_lm_reference.py packages/core/src/models/testing/fixtures/*
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyLmFixtures } from '../src/models/testing/tiny-lm-fixtures.js';
import { writeCheckpointFiles } from '../src/models/testing/write-checkpoint-files.js';

const core = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(core, 'src/models/testing/fixtures');
const bpe = await readFile(join(core, 'fixtures/vocab/vocab.bpe'), 'utf8');
for (const [name, files] of Object.entries(tinyLmFixtures(bpe))) await writeCheckpointFiles(join(out, name), files);
console.log(`wrote tiny checkpoints to ${out}`);
