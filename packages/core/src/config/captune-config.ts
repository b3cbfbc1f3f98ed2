/**
 * The one captune config (a JSON or YAML file, validated here): which frozen models, which
 * trained method, which backend, which data, how to train, how to decode. Every object is
 * `.strict()` so a misspelt key is an error naming its path; every field documents its default.
 * The CLI reads it (`--config FILE`), applies its flags and `--set key.path=value` overrides
 * on top, and `captune config --print` shows the result with every default filled in.
 */
import { z } from 'zod';
import { CaptionSoftmaxSchema } from '../adapters/caption-loss.js';
import { ClipCapConfigSchema } from '../adapters/clipcap-mapper.js';
import { ITuningConfigSchema } from '../adapters/ituning-adapter.js';
import { RecapConfigSchema } from '../methods/recap/recap-config.js';
import { SittaConfigSchema } from '../methods/sitta/sitta-config.js';
import { BackendConfigSchema } from '../backend/backend-registry.js';
import { DecodeOptionsSchema } from '../decoding/decoder-search.js';
import { AdamWConfigSchema } from '../optim/adamw.js';
import { LrScheduleSchema } from '../optim/lr-schedule.js';

/** Methods the training pipeline can train (the dispatch table is `adapterMethods`). */
export const TrainableMethodSchema = z.enum(['ituning', 'clipcap']);
export type TrainableMethod = z.infer<typeof TrainableMethodSchema>;

const split = z.enum(['train', 'val', 'test', 'restval', 'unknown', 'all']);

export const ModelsConfigSchema = z
  .object({
    /** Hugging Face CLIP model folder (the frozen image encoder; features are extracted with it). */
    clip: z.string().min(1).optional(),
    /** Hugging Face GPT-2 (or OPT) model folder with tokenizer files (the frozen decoder). */
    lm: z.string().min(1).optional(),
  })
  .strict();

export const DataConfigSchema = z
  .object({
    /** Dataset file or folder (Karpathy JSON, COCO annotations, JSONL/CSV pairs, a shapes folder). */
    dataset: z.string().min(1).optional(),
    /** Folder image paths are resolved in. @default the dataset's own rule */
    imageRoot: z.string().min(1).optional(),
    /** Feature cache folder (`captune extract` writes it). @default "<dataset folder>/features" */
    featureCache: z.string().min(1).optional(),
    /** Split names used for training, validation and testing. */
    splits: z
      .object({
        /** @default "train" (includes "restval") */
        train: split.default('train'),
        /** @default "val" */
        val: split.default('val'),
        /** @default "test" */
        test: split.default('test'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const EarlyStoppingSchema = z
  .object({
    /** Validations without improvement before stopping (0 = never stop early). @default 0 */
    patience: z.number().int().min(0).default(0),
    /** The validation number that must improve: CIDEr-D (higher is better) or loss (lower). @default "cider" */
    metric: z.enum(['cider', 'loss']).default('cider'),
  })
  .strict();

export const TrainingConfigSchema = z
  .object({
    /** Passes over the training captions (one example per image–caption pair). @default 10 */
    epochs: z.number().int().positive().default(10),
    /** Examples per optimizer step (split into `gradAccumulation` micro-batches). @default 32 */
    batchSize: z.number().int().positive().default(32),
    /** Micro-batches whose gradients are averaged per optimizer step. @default 1 */
    gradAccumulation: z.number().int().positive().default(1),
    /** Stop after this many optimizer steps even if epochs remain. @default unlimited */
    maxSteps: z.number().int().positive().optional(),
    /** AdamW settings (`lr` is the schedule's peak). */
    optimizer: AdamWConfigSchema.prefault({}),
    /** Learning-rate schedule over all optimizer steps. */
    schedule: LrScheduleSchema.prefault({}),
    /**
     * Output-layer softmax of the captioning loss: "full" (exact) or "sampled" (target tokens +
     * `negatives` uniform negatives, log-Q corrected; validation always uses the full one).
     * @default { type: "full", negatives: 1024 }
     */
    softmax: CaptionSoftmaxSchema.prefault({}),
    /** Clip the global gradient norm to this (null = no clipping). @default 1 */
    gradClip: z.number().positive().nullable().default(1),
    /** Validate every N optimizer steps (0 = only at the end of each epoch). @default 500 */
    validateEvery: z.number().int().min(0).default(500),
    /** Validation images (the first N of the validation split) for the loss and CIDEr estimate. @default 100 */
    valSubset: z.number().int().positive().default(100),
    earlyStopping: EarlyStoppingSchema.prefault({}),
    /** Write a checkpoint every N optimizer steps (and always at the end). @default 500 */
    checkpointEvery: z.number().int().positive().default(500),
    /** Checkpoints kept in the run folder (the best one is kept as well). @default 2 */
    keepCheckpoints: z.number().int().positive().default(2),
    /** Run folder: checkpoints, `log.jsonl`, `curves.svg`, `best/`. @default "runs/captune" */
    runDir: z.string().min(1).default('runs/captune'),
    /** Seed of the adapter init and of the per-epoch data order. @default 0 */
    seed: z.number().int().min(0).default(0),
    /** Caption tokens kept per training example (longer captions are cut). @default 40 */
    maxCaptionTokens: z.number().int().positive().default(40),
  })
  .strict();

export const DecodingConfigSchema = DecodeOptionsSchema.extend({
  /** Search strategy by name ("beam", "greedy", "sampling"). @default "beam" */
  search: z.string().min(1).default('beam'),
}).strict();

export const CaptuneConfigSchema = z
  .object({
    models: ModelsConfigSchema.prefault({}),
    /** Which adapter is trained. @default "ituning" */
    method: TrainableMethodSchema.default('ituning'),
    /** I-Tuning settings (used when method is "ituning"). */
    ituning: ITuningConfigSchema.prefault({}),
    /** ClipCap settings (used when method is "clipcap"). */
    clipcap: ClipCapConfigSchema.prefault({}),
    /** ReCap settings (`captune fit --method recap`). */
    recap: RecapConfigSchema.prefault({}),
    /** SITTA settings (`captune fit --method sitta`). */
    sitta: SittaConfigSchema.prefault({}),
    /** Backend and device (`--backend`, `--device` override them). */
    compute: BackendConfigSchema.prefault({}),
    data: DataConfigSchema.prefault({}),
    training: TrainingConfigSchema.prefault({}),
    /** Decoding for `eval` and `caption` (validation during training decodes greedily). */
    decoding: DecodingConfigSchema.prefault({}),
  })
  .strict();

export type CaptuneConfig = z.infer<typeof CaptuneConfigSchema>;
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;
export type DataConfig = z.infer<typeof DataConfigSchema>;
export type DecodingConfig = z.infer<typeof DecodingConfigSchema>;
/** The config as written by a user (every field optional where it has a default). */
export type CaptuneConfigInput = z.input<typeof CaptuneConfigSchema>;
