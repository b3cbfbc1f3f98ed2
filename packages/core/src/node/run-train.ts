/**
 * `captune train` (and the demo's training) from a config: the dataset and its features
 * (extracted inline when missing), the frozen LM and its tokenizer, then `runTraining`.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptuneConfig } from '../config/captune-config.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { adapterMethod } from '../pipelines/adapter-methods.js';
import type { CaptionScorer } from '../pipelines/caption-validation.js';
import { openLanguageModelFolder, type LanguageModelFolder } from './model-folder.js';
import { openRunData, type RunDataOptions } from './run-data.js';
import type { TrainingLogEntry } from './training-log.js';
import { runTraining, type TrainingRunResult } from './training-run.js';

export interface TrainFromConfigOptions extends Pick<
  RunDataOptions,
  'onExtractStart' | 'onExtractProgress'
> {
  readonly engine: Engine;
  readonly config: CaptuneConfig;
  readonly resume?: boolean;
  readonly score?: CaptionScorer;
  readonly onStep?: (entry: TrainingLogEntry, totalSteps: number) => void;
  readonly onNote?: (message: string) => void;
}

export interface TrainedFromConfig extends TrainingRunResult {
  readonly lm: LanguageModelFolder;
  /** Frees the adapter and the LM. */
  dispose(): void;
}

/** Opens the LM folder of a config, which must have tokenizer files. */
export async function openConfigLm(
  engine: Engine,
  config: CaptuneConfig,
): Promise<LanguageModelFolder & { tokenizer: NonNullable<LanguageModelFolder['tokenizer']> }> {
  if (!config.models.lm)
    throw new CaptuneError('models.lm is not set in the config (the frozen GPT-2 folder)');
  const lm = await openLanguageModelFolder(engine, config.models.lm);
  if (!lm.tokenizer) {
    lm.dispose();
    throw new CaptuneError(
      `${config.models.lm}: the language model folder has no tokenizer files (needed to tokenize captions)`,
    );
  }
  return lm as LanguageModelFolder & { tokenizer: NonNullable<LanguageModelFolder['tokenizer']> };
}

export async function trainFromConfig(o: TrainFromConfigOptions): Promise<TrainedFromConfig> {
  const { config, engine } = o;
  const method = adapterMethod(config.method);
  const lm = await openConfigLm(engine, config);
  try {
    const data = await openRunData({
      engine,
      config,
      splits: [config.data.splits.train, config.data.splits.val],
      what: method.needs,
      onNote: o.onNote,
      onExtractStart: o.onExtractStart,
      onExtractProgress: o.onExtractProgress,
    });
    try {
      const trainRecords = data.records(config.data.splits.train);
      if (trainRecords.length === 0)
        throw new CaptuneError(
          `${data.dataset.source}: no images in the training split "${config.data.splits.train}"`,
        );
      const result = await runTraining({
        engine,
        decoder: lm.decoder,
        tokenizer: lm.tokenizer,
        features: data.features,
        trainRecords,
        valRecords: data.records(config.data.splits.val),
        method: config.method,
        methodConfig: config[config.method],
        training: config.training,
        maxNewTokens: config.decoding.maxNewTokens,
        score: o.score,
        resume: o.resume,
        runConfig: config,
        onStep: o.onStep,
        onNote: o.onNote,
      });
      return { ...result, lm, dispose: () => (result.adapter.dispose(), lm.dispose()) };
    } finally {
      await data.close();
    }
  } catch (error) {
    lm.dispose();
    throw error;
  }
}

/**
 * Removes `config.training.runDir` when the config saved in it trained another method, method
 * config, LM or training settings (such a run cannot be resumed). For run folders a program owns
 * (the demo's cache), never for a user's runs. → whether it removed the folder.
 */
export async function removeRunIfChanged(
  config: CaptuneConfig,
  onNote?: (message: string) => void,
): Promise<boolean> {
  const runDir = config.training.runDir;
  const file = join(runDir, 'config.json');
  if (!existsSync(file)) return false;
  const key = (c: Record<string, unknown>) =>
    JSON.stringify([
      c['method'],
      c[String(c['method'])],
      c['training'],
      (c['models'] as Record<string, unknown> | undefined)?.['lm'],
    ]);
  let same = false;
  try {
    same = key(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>) === key(config);
  } catch {
    same = false;
  }
  if (same) return false;
  onNote?.(`${runDir} was trained with other settings: training afresh`);
  await rm(runDir, { recursive: true, force: true });
  return true;
}
