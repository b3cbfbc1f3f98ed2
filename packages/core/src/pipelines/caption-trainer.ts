/**
 * One optimizer step of adapter training at a time, resumable: the examples of step s are
 * fixed by (seed, s) through the per-epoch shuffle, each step averages the gradients of its
 * micro-batches (gradient accumulation), clips the global norm, sets the scheduled learning
 * rate and applies AdamW. The frozen LM's weights are never trained (only `adapter.params`).
 * Follows the training recipe of ClipCap's `train.py` and I-Tuning §3.
 *
 * With a sampled softmax (`softmax.type: "sampled"`) each micro-batch draws its negatives from
 * the trainer's own seeded RNG, whose state a checkpoint saves (`samplerState`) and a resume
 * restores, so a resumed run draws exactly the negatives an uninterrupted one would.
 */
import type { CaptionAdapter } from '../adapters/caption-adapter.js';
import { captionLoss, type CaptionSoftmax } from '../adapters/caption-loss.js';
import type { Tensor } from '../engine/tensor.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import { AdamW, type AdamWConfig } from '../optim/adamw.js';
import { clipGradNorm } from '../optim/clip-grad-norm.js';
import { learningRateAt, type LrSchedule } from '../optim/lr-schedule.js';
import { Rng, type RngState } from '../random/rng.js';
import { disposeFeatures, loadFeatureBatch, type FeatureKind } from './feature-batch.js';
import type { FeatureSource } from './feature-source.js';
import { epochOrder } from './epoch-order.js';
import type { TrainingExample } from './training-examples.js';

export interface CaptionTrainerOptions {
  readonly decoder: LanguageDecoder;
  readonly adapter: CaptionAdapter;
  readonly features: FeatureSource;
  readonly needs: FeatureKind;
  readonly examples: readonly TrainingExample[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly gradAccumulation: number;
  readonly maxSteps?: number;
  readonly optimizer: Partial<AdamWConfig>;
  readonly schedule: LrSchedule;
  readonly gradClip: number | null;
  readonly seed: number;
  /** Output-layer softmax of the loss. @default full */
  readonly softmax?: CaptionSoftmax;
}

export interface StepResult {
  /** Optimizer steps done after this one (1-based). */
  readonly step: number;
  /** Epoch (0-based) the step belonged to. */
  readonly epoch: number;
  /** Mean token cross-entropy over the step's examples (the sampled-softmax estimate when sampled). */
  readonly loss: number;
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  readonly examples: number;
}

export class CaptionTrainer {
  readonly optimizer: AdamW;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private stepsDone = 0;
  private order: { epoch: number; perm: number[] } | null = null;
  /** Draws the sampled softmax's negatives (its own stream, apart from the data order). */
  private readonly sampler: Rng;

  constructor(private readonly o: CaptionTrainerOptions) {
    this.sampler = new Rng((Math.imul(o.seed >>> 0, 0x9e3779b1) ^ 0x5eed5a3d) >>> 0);
    this.optimizer = new AdamW(o.adapter.engine, o.adapter.params, o.optimizer);
    this.stepsPerEpoch = Math.ceil(o.examples.length / o.batchSize);
    const all = this.stepsPerEpoch * o.epochs;
    this.totalSteps = o.maxSteps ? Math.min(all, o.maxSteps) : all;
  }

  /** Optimizer steps done. */
  get step(): number {
    return this.stepsDone;
  }

  get done(): boolean {
    return this.stepsDone >= this.totalSteps;
  }

  /** Epoch (0-based) of the next step. */
  get epoch(): number {
    return Math.floor(this.stepsDone / this.stepsPerEpoch);
  }

  /** The sampler RNG's state after the steps done (saved with a checkpoint). */
  get samplerState(): RngState {
    return this.sampler.getState();
  }

  /**
   * Continues from a checkpoint: `step` steps done, the optimizer's moments restored by the
   * caller, and the sampler RNG's saved state (when the checkpoint has one).
   */
  resumeAt(step: number, samplerState?: RngState): void {
    this.stepsDone = step;
    if (samplerState) this.sampler.setState(samplerState);
  }

  /** The examples of step `step` (0-based). */
  examplesOf(step: number): TrainingExample[] {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (this.order?.epoch !== epoch)
      this.order = { epoch, perm: epochOrder(this.o.examples.length, this.o.seed, epoch) };
    const start = (step % this.stepsPerEpoch) * this.o.batchSize;
    return this.order.perm.slice(start, start + this.o.batchSize).map((i) => this.o.examples[i]!);
  }

  /** Runs the next optimizer step. */
  async trainStep(): Promise<StepResult> {
    const { decoder, adapter, features, needs } = this.o;
    const e = adapter.engine;
    const step = this.stepsDone;
    const batch = this.examplesOf(step);
    const micro = Math.min(this.o.gradAccumulation, batch.length);
    const size = Math.ceil(batch.length / micro);
    const sampled = this.o.softmax?.type === 'sampled' ? this.o.softmax : null;
    let sum: Tensor[] | null = null;
    let lossSum = 0;
    for (let m = 0; m < micro; m++) {
      const part = batch.slice(m * size, (m + 1) * size);
      if (part.length === 0) continue;
      const weight = part.length / batch.length;
      const feats = await loadFeatureBatch(
        e,
        features,
        part.map((x) => x.imageId),
        needs,
      );
      const { value, grads } = e.valueAndGrads(
        () =>
          captionLoss(
            decoder,
            adapter,
            feats,
            { captions: part.map((x) => x.tokens) },
            sampled ? { sampledSoftmax: { negatives: sampled.negatives, rng: this.sampler } } : {},
          ),
        adapter.params,
      );
      disposeFeatures(e, feats);
      lossSum += weight * (await e.readScalar(value));
      const prev: Tensor[] | null = sum;
      sum = e.tidy(() =>
        grads.map((g, i) => (prev ? e.add(prev[i]!, e.mul(g, weight)) : e.mul(g, weight))),
      );
      e.dispose([value, ...grads, ...(prev ?? [])]);
    }
    const total = sum!;
    let gradNorm: number;
    let applied: Tensor[];
    if (this.o.gradClip !== null) {
      const clipped = clipGradNorm(e, total, this.o.gradClip);
      gradNorm = await e.readScalar(clipped.norm);
      e.dispose([clipped.norm, ...total]);
      applied = clipped.grads;
    } else {
      const norm = e.tidy(() =>
        e.sqrt(total.reduce<Tensor>((acc, g) => e.add(acc, e.sum(e.mul(g, g))), e.scalar(0))),
      );
      gradNorm = await e.readScalar(norm);
      e.dispose(norm);
      applied = total;
    }
    const lr = learningRateAt(this.o.schedule, this.optimizer.config.lr, step, this.totalSteps);
    this.optimizer.update(applied, lr);
    e.dispose(applied);
    this.stepsDone = step + 1;
    return {
      step: this.stepsDone,
      epoch: Math.floor(step / this.stepsPerEpoch),
      loss: lossSum,
      lr,
      gradNorm,
      examples: batch.length,
    };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
