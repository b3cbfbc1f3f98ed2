/**
 * A whole training run in a run folder: builds the adapter for the configured method, trains
 * it with `CaptionTrainer` (frozen LM, features from a FeatureSource), validates every N steps
 * (loss + greedy CIDEr-D on a small validation subset), stops early on the validation metric,
 * writes atomic checkpoints (training-checkpoint.ts), `log.jsonl` and `curves.svg`, and with
 * `resume` continues exactly where the newest complete checkpoint left off (same data order,
 * same step, same optimizer state → the same final adapter as an uninterrupted run).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptionAdapter } from '../adapters/caption-adapter.js';
import type { TrainingConfig } from '../config/captune-config.js';
import type { CaptionRecord } from '../data/caption-dataset.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import { adapterMethod } from '../pipelines/adapter-methods.js';
import {
  validateCaptioner,
  type CaptionScorer,
  type ValidationResult,
} from '../pipelines/caption-validation.js';
import { CaptionTrainer, type StepResult } from '../pipelines/caption-trainer.js';
import type { FeatureSource } from '../pipelines/feature-source.js';
import { buildTrainingExamples } from '../pipelines/training-examples.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { plotTrainingCurves } from './plot-training-curves.js';
import {
  ADAPTER_FILE,
  cleanRunDir,
  latestCheckpoint,
  listCheckpoints,
  loadAdapterWeights,
  loadOptimizerState,
  OPTIMIZER_FILE,
  pointedCheckpoint,
  pruneCheckpoints,
  readTrainingState,
  writeTrainingCheckpoint,
  type AdapterMeta,
  type TrainingState,
} from './training-checkpoint.js';
import {
  appendTrainingLog,
  readTrainingLog,
  truncateTrainingLog,
  type TrainingLogEntry,
} from './training-log.js';

export interface TrainingRunInput {
  readonly engine: Engine;
  readonly decoder: LanguageDecoder;
  readonly tokenizer: Tokenizer;
  readonly features: FeatureSource;
  readonly trainRecords: readonly CaptionRecord[];
  /** The validation split (its first `valSubset` images with captions are used). */
  readonly valRecords: readonly CaptionRecord[];
  readonly method: string;
  /** The method's own config section. */
  readonly methodConfig: unknown;
  readonly training: TrainingConfig;
  /** Longest greedy caption during validation. @default 20 */
  readonly maxNewTokens?: number;
  /** Scores validation captions (CIDEr-D); without it validation reports the loss only. */
  readonly score?: CaptionScorer;
  /** Continue from the newest complete checkpoint in the run folder. */
  readonly resume?: boolean;
  /** Saved as `config.json` in the run folder (the resolved config). */
  readonly runConfig?: unknown;
  /** After every step (and its validation, when there was one). */
  readonly onStep?: (entry: TrainingLogEntry, totalSteps: number) => void;
  /** Notes for the user ("resumed at step 40", "stopped early"). */
  readonly onNote?: (message: string) => void;
}

export interface TrainingRunResult {
  readonly runDir: string;
  readonly adapter: CaptionAdapter;
  readonly meta: AdapterMeta;
  readonly steps: number;
  readonly totalSteps: number;
  readonly resumedFrom: number | null;
  readonly stoppedEarly: boolean;
  readonly bestStep: number | null;
  readonly bestMetric: number | null;
  readonly lastCheckpoint: string;
  readonly bestCheckpoint: string | null;
  readonly lastLoss: number | null;
  readonly seconds: number;
}

export async function runTraining(input: TrainingRunInput): Promise<TrainingRunResult> {
  const t = input.training;
  const runDir = t.runDir;
  await mkdir(runDir, { recursive: true });
  const removed = await cleanRunDir(runDir);
  if (removed.length)
    input.onNote?.(
      `removed ${removed.length} unfinished checkpoint write(s) left by an interrupted run`,
    );
  const method = adapterMethod(input.method);
  const examples = buildTrainingExamples(input.trainRecords, input.tokenizer, t.maxCaptionTokens);
  const dims = { tokenShape: input.features.tokenShape, embedDim: input.features.embedDim };
  const adapter = method.create(
    input.engine,
    input.decoder.config,
    dims,
    input.methodConfig,
    t.seed,
  );
  const meta: AdapterMeta = { method: method.name, config: input.methodConfig, ...dims };
  const trainer = new CaptionTrainer({
    decoder: input.decoder,
    adapter,
    features: input.features,
    needs: method.needs,
    examples,
    epochs: t.epochs,
    batchSize: t.batchSize,
    gradAccumulation: t.gradAccumulation,
    maxSteps: t.maxSteps,
    optimizer: t.optimizer,
    schedule: t.schedule,
    gradClip: t.gradClip,
    seed: t.seed,
    softmax: t.softmax,
  });
  const logPath = join(runDir, 'log.jsonl');
  let best: { metric: number | null; step: number | null } = { metric: null, step: null };
  let bad = 0;
  let resumedFrom: number | null = null;
  let timeBase = 0;
  let stoppedEarly = false;
  try {
    const latest = await latestCheckpoint(runDir);
    if (input.resume && latest) {
      const state = await readTrainingState(latest);
      checkCompatible(state, trainer, t.seed, latest);
      await loadAdapterWeights(join(latest, ADAPTER_FILE), adapter);
      await loadOptimizerState(join(latest, OPTIMIZER_FILE), input.engine, trainer.optimizer);
      trainer.resumeAt(state.step, state.samplerRng);
      best = { metric: state.bestMetric, step: state.bestStep };
      bad = state.badValidations;
      stoppedEarly = state.stopped === 'early';
      resumedFrom = state.step;
      const kept = await truncateTrainingLog(logPath, state.step);
      timeBase = kept[kept.length - 1]?.time ?? 0;
      input.onNote?.(`resumed from ${latest} at step ${state.step} of ${trainer.totalSteps}`);
    } else if (!input.resume && (await listCheckpoints(runDir)).length > 0) {
      throw new CaptuneError(
        `${runDir}: the run folder already has checkpoints: pass --resume to continue it, or set training.runDir to a new folder`,
      );
    } else {
      if (input.resume) input.onNote?.(`no checkpoint in ${runDir}: starting from step 0`);
      await truncateTrainingLog(logPath, -1);
    }
    if (input.runConfig !== undefined)
      await writeFile(join(runDir, 'config.json'), `${JSON.stringify(input.runConfig, null, 2)}\n`);
    const valRecords = input.valRecords.filter((r) => r.captions.length > 0).slice(0, t.valSubset);
    if (valRecords.length === 0)
      input.onNote?.('no validation images with captions: validation and early stopping are off');
    const higherIsBetter = t.earlyStopping.metric === 'cider' && input.score !== undefined;
    const started = Date.now();
    let lastCkpt = latest && input.resume ? latest : '';
    let lastLoss: number | null = null;
    const state = (): TrainingState => ({
      version: 1,
      step: trainer.step,
      epoch: trainer.epoch,
      position: (trainer.step % trainer.stepsPerEpoch) * t.batchSize,
      totalSteps: trainer.totalSteps,
      seed: t.seed,
      bestMetric: best.metric,
      bestStep: best.step,
      badValidations: bad,
      stopped: stoppedEarly ? 'early' : null,
      samplerRng: trainer.samplerState,
    });
    const checkpoint = async (pointers: string[]) => {
      lastCkpt = await writeTrainingCheckpoint(
        runDir,
        { adapter, meta, optimizer: trainer.optimizer, state: state() },
        pointers,
      );
      await pruneCheckpoints(runDir, t.keepCheckpoints, [
        await pointedCheckpoint(runDir, 'best'),
        lastCkpt,
      ]);
    };
    while (!trainer.done && !stoppedEarly) {
      const r: StepResult = await trainer.trainStep();
      lastLoss = r.loss;
      const epochEnd = r.step % trainer.stepsPerEpoch === 0;
      const due = t.validateEvery > 0 ? r.step % t.validateEvery === 0 : epochEnd;
      let val: ValidationResult | null = null;
      let improved = false;
      if (valRecords.length > 0 && (due || trainer.done)) {
        val = await validateCaptioner({
          decoder: input.decoder,
          adapter,
          tokenizer: input.tokenizer,
          features: input.features,
          needs: method.needs,
          records: valRecords,
          batchSize: t.batchSize,
          maxCaptionTokens: t.maxCaptionTokens,
          maxNewTokens: input.maxNewTokens,
          score: input.score,
        });
        const metric = higherIsBetter ? val.valCider! : val.valLoss;
        improved =
          best.metric === null || (higherIsBetter ? metric > best.metric : metric < best.metric);
        if (improved) {
          best = { metric, step: r.step };
          bad = 0;
        } else if (t.earlyStopping.patience > 0 && ++bad >= t.earlyStopping.patience) {
          stoppedEarly = true;
          input.onNote?.(
            `stopped early at step ${r.step}: no improvement of validation ${higherIsBetter ? 'CIDEr-D' : 'loss'} in ${bad} validations (best ${best.metric?.toFixed(4)} at step ${best.step})`,
          );
        }
      }
      const entry: TrainingLogEntry = {
        step: r.step,
        epoch: r.epoch,
        loss: r.loss,
        lr: r.lr,
        gradNorm: r.gradNorm,
        time: Number((timeBase + (Date.now() - started) / 1000).toFixed(3)),
        ...(val ? { valLoss: val.valLoss, valCider: val.valCider } : {}),
      };
      await appendTrainingLog(logPath, entry);
      input.onStep?.(entry, trainer.totalSteps);
      if (improved || r.step % t.checkpointEvery === 0 || trainer.done || stoppedEarly) {
        await checkpoint(improved ? ['latest', 'best'] : ['latest']);
      }
      if (val) await plotTrainingCurves(logPath, join(runDir, 'curves.svg'));
    }
    if (!lastCkpt) await checkpoint(['latest']);
    await plotTrainingCurves(logPath, join(runDir, 'curves.svg'));
    const log = await readTrainingLog(logPath);
    return {
      runDir,
      adapter,
      meta,
      steps: trainer.step,
      totalSteps: trainer.totalSteps,
      resumedFrom,
      stoppedEarly,
      bestStep: best.step,
      bestMetric: best.metric,
      lastCheckpoint: lastCkpt,
      bestCheckpoint: await pointedCheckpoint(runDir, 'best'),
      lastLoss: lastLoss ?? log[log.length - 1]?.loss ?? null,
      seconds: log[log.length - 1]?.time ?? 0,
    };
  } catch (error) {
    adapter.dispose();
    throw error;
  } finally {
    trainer.dispose();
  }
}

function checkCompatible(
  state: TrainingState,
  trainer: CaptionTrainer,
  seed: number,
  dir: string,
): void {
  if (state.seed !== seed)
    throw new CaptuneError(
      `${dir}: the checkpoint was trained with seed ${state.seed}, the config says ${seed}: resuming would change the data order`,
    );
  if (state.totalSteps !== trainer.totalSteps)
    throw new CaptuneError(
      `${dir}: the checkpoint's run has ${state.totalSteps} steps, this config gives ${trainer.totalSteps} (epochs, batch size or the dataset changed)`,
    );
}
