/**
 * A tiny training setup for the train/eval/caption command tests: a shapes dataset generated
 * into a temporary folder (24 images of 32 px), core's tiny CLIP and tiny GPT-2 folders, and a
 * config file training I-Tuning for a few dozen steps on the tfjs backend.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeShapesDataset } from '../../../../core/src/node/shapes-dataset.js';
import { TINY_CLIP, TINY_GPT2 } from './cli-fixtures.js';

export interface TrainFixture {
  readonly dir: string;
  /** Writes a config with this run folder name and YAML lines under `training:` (replacing defaults of the same key); returns its path. */
  config(runDir: string, trainingLines?: string[]): Promise<string>;
}

export async function trainFixture(): Promise<TrainFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'captune-cli-train-'));
  await writeShapesDataset(join(dir, 'shapes'), {
    count: 24,
    seed: 3,
    size: 32,
    val: 0.2,
    test: 0.2,
  });
  return {
    dir,
    async config(runDir, trainingLines = []) {
      const path = join(dir, `${runDir}.yaml`);
      const keys = new Set(trainingLines.map((l) => l.split(':')[0]!.trim()));
      const defaults = [
        'epochs: 2',
        'batchSize: 8',
        'maxCaptionTokens: 8',
        'validateEvery: 5',
        'valSubset: 3',
        'checkpointEvery: 3',
        'optimizer: { lr: 0.003 }',
      ];
      const text = [
        'models:',
        `  clip: ${TINY_CLIP}`,
        `  lm: ${TINY_GPT2}`,
        'method: ituning',
        'ituning: { bottleneck: 8, heads: 2 }',
        'compute: { backend: tfjs }',
        'data: { dataset: shapes/captions.jsonl }',
        'training:',
        ...defaults.filter((l) => !keys.has(l.split(':')[0]!)).map((l) => `  ${l}`),
        `  runDir: ${runDir}`,
        ...trainingLines.map((l) => `  ${l}`),
        'decoding: { numBeams: 2, maxNewTokens: 6 }',
        '',
      ].join('\n');
      await writeFile(path, text);
      return path;
    },
  };
}
