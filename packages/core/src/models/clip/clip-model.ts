/**
 * A Hugging Face `CLIPModel` (huggingface/transformers `models/clip/modeling_clip.py`) loaded
 * from its `config.json` and a `TensorSource` over `model.safetensors`: both towers, or only
 * one (the frozen vision encoder of a captioner needs no text tower). ViT-B/32, B/16 and L/14
 * folders load unchanged; `*.position_ids` buffers in older checkpoints are ignored.
 */
import { parseClipConfig, type ClipConfig } from '../../checkpoint/clip-config.js';
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor, Variable } from '../../engine/tensor.js';
import { ClipText, type ClipTextOutput } from './clip-text.js';
import { ClipVision, type ClipVisionOutput } from './clip-vision.js';
import { ClipWeightLoader } from './clip-weights.js';

export type ClipTowers = 'both' | 'vision' | 'text';

export interface ClipLoadOptions {
  /** Which towers to upload. @default "both" */
  readonly towers?: ClipTowers;
  /** Names the checkpoint in errors. @default "CLIP checkpoint" */
  readonly where?: string;
}

/** x [B, P] / ‖x‖₂ per row (as `CLIPModel.forward` normalises its embeddings). */
export function l2Normalize(e: Engine, x: Tensor): Tensor {
  return e.tidy(() => e.div(x, e.sqrt(e.sum(e.mul(x, x), -1, true)))); // [B, P]
}

export class ClipModel {
  private constructor(
    private readonly engine: Engine,
    readonly config: ClipConfig,
    readonly vision: ClipVision | null,
    readonly text: ClipText | null,
    /** [] the learned log temperature (`logit_scale`), when the checkpoint has it. */
    readonly logitScale: Variable | null,
    private readonly variables: readonly Variable[],
  ) {}

  /**
   * Loads from `config.json` (parsed JSON, or an already parsed `ClipConfig`) and the tensors.
   * Missing tensors and shape mismatches throw a one-line CaptuneError naming the tensor.
   */
  static async load(
    engine: Engine,
    source: TensorSource,
    config: unknown,
    options: ClipLoadOptions = {},
  ): Promise<ClipModel> {
    const cfg = isParsed(config) ? config : parseClipConfig(config);
    const towers = options.towers ?? 'both';
    const loader = new ClipWeightLoader(engine, source, options.where ?? 'CLIP checkpoint');
    try {
      const vision =
        towers === 'text'
          ? null
          : await ClipVision.load(engine, loader, cfg.vision, cfg.projectionDim);
      const text =
        towers === 'vision'
          ? null
          : await ClipText.load(engine, loader, cfg.text, cfg.projectionDim);
      const logitScale =
        towers === 'both' && source.has('logit_scale')
          ? await loader.load('logit_scale', [])
          : null;
      return new ClipModel(engine, cfg, vision, text, logitScale, [...loader.loaded]);
    } catch (error) {
      loader.disposeAll();
      throw error;
    }
  }

  /** pixels [B, 3, S, S] (preprocessed) → vision outputs. */
  encodeImages(pixels: Tensor): ClipVisionOutput {
    if (!this.vision)
      throw new Error('ClipModel: the vision tower was not loaded (towers: "text")');
    return this.vision.forward(pixels);
  }

  /** Host token ids [B][T] (clipTokenize output) → text outputs. */
  encodeTexts(ids: readonly ArrayLike<number>[]): ClipTextOutput {
    if (!this.text) throw new Error('ClipModel: the text tower was not loaded (towers: "vision")');
    return this.text.encode(ids);
  }

  /** CLIPModel's logits_per_image [Bi, Bt] = exp(logit_scale) · normalised image · textᵀ. */
  logitsPerImage(imageEmbeds: Tensor, textEmbeds: Tensor): Tensor {
    const e = this.engine;
    return e.tidy(() => {
      const sim = e.matmul(l2Normalize(e, imageEmbeds), l2Normalize(e, textEmbeds), {
        transposeB: true,
      }); // [Bi, Bt]
      return this.logitScale ? e.mul(sim, e.exp(this.logitScale)) : sim; // [Bi, Bt]
    });
  }

  /** Frees every uploaded weight. */
  dispose(): void {
    this.engine.dispose([...this.variables]);
  }
}

function isParsed(c: unknown): c is ClipConfig {
  return (
    typeof c === 'object' &&
    c !== null &&
    (c as { modelType?: unknown }).modelType === 'clip' &&
    'vision' in c
  );
}
