/**
 * A CLIP model with trainable weights for contrastive pretraining: the same `ClipVision` and
 * `ClipText` classes inference uses (models/clip/), loaded through a loader that makes the
 * variables trainable, plus `logit_scale`.
 */
import { parseClipConfig, type ClipConfig } from '../checkpoint/clip-config.js';
import type { TensorSource } from '../checkpoint/tensor-source.js';
import type { Engine } from '../engine/engine.js';
import type { Variable } from '../engine/tensor.js';
import { ClipText } from '../models/clip/clip-text.js';
import { ClipVision } from '../models/clip/clip-vision.js';
import { TrainableClipWeightLoader, type TrainableWeights } from './trainable-weights.js';

export interface TrainableClip {
  readonly config: ClipConfig;
  readonly vision: ClipVision;
  readonly text: ClipText;
  /** [] log temperature. */
  readonly logitScale: Variable;
  readonly weights: TrainableWeights;
  /** Every trainable variable, in load order. */
  readonly params: readonly Variable[];
}

export async function loadTrainableClip(engine: Engine, source: TensorSource, config: unknown, where = 'CLIP init'): Promise<TrainableClip> {
  const cfg = parseClipConfig(config);
  const loader = new TrainableClipWeightLoader(engine, source, where);
  const vision = await ClipVision.load(engine, loader, cfg.vision, cfg.projectionDim);
  const text = await ClipText.load(engine, loader, cfg.text, cfg.projectionDim);
  const logitScale = await loader.load('logit_scale', []);
  return { config: cfg, vision, text, logitScale, weights: loader.weights(), params: [...loader.loaded] };
}
