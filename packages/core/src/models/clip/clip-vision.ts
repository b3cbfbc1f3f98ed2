/**
 * CLIP's vision tower, as huggingface/transformers `models/clip/modeling_clip.py`
 * (`CLIPVisionEmbeddings`, `CLIPVisionTransformer`) plus `CLIPModel.visual_projection`.
 *
 * The patch embedding is a stride-p, kernel-p, bias-free conv; here it is a patchify
 * (reshape/transpose [B, 3, H, W] → [B, N, 3·p·p], patches row-major, each patch flattened
 * as channel, row, column like the conv kernel) and one matmul with the kernel viewed as
 * [C, 3·p·p].
 *
 * Outputs, and which one a cross-attention adapter reads:
 * - `lastHiddenState` [B, N+1, C]: the encoder output before `post_layernorm`, as transformers'
 *   `last_hidden_state` (what most HF-based adapters consume).
 * - `tokensPostLn` [B, N+1, C]: `post_layernorm` applied to every token. openai/CLIP's
 *   `VisionTransformer` applies `ln_post` to the class token only; applying it to all tokens puts
 *   the patch tokens on the same scale as the pooled output the projection was trained on. The
 *   I-Tuning adapter reads this one by default (it says "all CLIP ViT output tokens", and its
 *   keys/values are better conditioned after the final LN); the choice is the adapter's option.
 * - `pooled` [B, C]: post-LN class token (`pooler_output`); `embeds` [B, P]: projected.
 */
import type { ClipVisionConfig } from '../../checkpoint/clip-config.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor, Variable } from '../../engine/tensor.js';
import { CaptuneError } from '../../errors/captune-error.js';
import { fmt } from '../../tensor/shape.js';
import {
  clipActivation,
  loadEncoderLayers,
  loadLayerNorm,
  runEncoder,
  type ClipEncoderLayerWeights,
  type ClipLayerNorm,
} from './clip-encoder.js';
import type { ClipWeightLoader } from './clip-weights.js';

export type ClipVisionOutput = {
  /** [B, N+1, C] encoder output before post_layernorm (transformers' `last_hidden_state`). */
  readonly lastHiddenState: Tensor;
  /** [B, N+1, C] post_layernorm applied to every token. */
  readonly tokensPostLn: Tensor;
  /** [B, C] post-LN class token (`pooler_output`). */
  readonly pooled: Tensor;
  /** [B, P] `visual_projection(pooled)`. */
  readonly embeds: Tensor;
};

export interface ClipVisionWeights {
  readonly patchEmbedding: Variable; // [C, 3·p·p] (the conv kernel [C, 3, p, p], flattened)
  readonly classEmbedding: Variable; // [C]
  readonly positionEmbedding: Variable; // [N+1, C]
  readonly preLayerNorm: ClipLayerNorm;
  readonly layers: readonly ClipEncoderLayerWeights[];
  readonly postLayerNorm: ClipLayerNorm;
  readonly projection: Variable; // [P, C]
}

export class ClipVision {
  private readonly act: (e: Engine, x: Tensor) => Tensor;

  constructor(
    private readonly engine: Engine,
    readonly config: ClipVisionConfig,
    readonly projectionDim: number,
    readonly weights: ClipVisionWeights,
  ) {
    this.act = clipActivation(config.activation, 'config.json: vision_config');
  }

  /** Number of patches N = (image_size / patch_size)². */
  get numPatches(): number {
    return (this.config.imageSize / this.config.patchSize) ** 2;
  }

  /** Loads `vision_model.*` and `visual_projection.weight`. */
  static async load(
    engine: Engine,
    loader: ClipWeightLoader,
    config: ClipVisionConfig,
    projectionDim: number,
  ): Promise<ClipVision> {
    const c = config.hiddenSize;
    const p = config.patchSize;
    const ch = config.numChannels;
    const positions = (config.imageSize / p) ** 2 + 1;
    const pre = 'vision_model';
    const weights: ClipVisionWeights = {
      patchEmbedding: await loader.load(
        `${pre}.embeddings.patch_embedding.weight`,
        [c, ch, p, p],
        [c, ch * p * p],
      ),
      classEmbedding: await loader.load(`${pre}.embeddings.class_embedding`, [c]),
      positionEmbedding: await loader.load(`${pre}.embeddings.position_embedding.weight`, [
        positions,
        c,
      ]),
      preLayerNorm: await loadLayerNorm(loader, `${pre}.pre_layrnorm`, c),
      layers: await loadEncoderLayers(loader, `${pre}.encoder`, config),
      postLayerNorm: await loadLayerNorm(loader, `${pre}.post_layernorm`, c),
      projection: await loader.load('visual_projection.weight', [projectionDim, c]),
    };
    return new ClipVision(engine, config, projectionDim, weights);
  }

  /** pixels [B, 3, H, W] (normalised, H = W = image_size) → patch tokens [B, N, 3·p·p]. */
  patchify(pixels: Tensor): Tensor {
    const e = this.engine;
    const { imageSize: s, patchSize: p, numChannels: ch } = this.config;
    if (
      pixels.rank !== 4 ||
      pixels.shape[1] !== ch ||
      pixels.shape[2] !== s ||
      pixels.shape[3] !== s
    ) {
      throw new CaptuneError(
        `CLIP vision: pixels must be [B, ${ch}, ${s}, ${s}], got ${fmt(pixels.shape)}`,
      );
    }
    const b = pixels.shape[0]!;
    const g = s / p;
    const x = e.reshape(pixels, [b, ch, g, p, g, p]); // [B, 3, Gh, p, Gw, p]
    const t = e.transpose(x, [0, 2, 4, 1, 3, 5]); // [B, Gh, Gw, 3, p, p]
    return e.reshape(t, [b, g * g, ch * p * p]); // [B, N, 3·p·p]
  }

  /** The embeddings before pre_layrnorm: [B, N+1, C]. */
  embed(pixels: Tensor): Tensor {
    const e = this.engine;
    const w = this.weights;
    const c = this.config.hiddenSize;
    const patches = e.linear(this.patchify(pixels), w.patchEmbedding, null, { transposed: true }); // [B, N, C]
    const b = patches.shape[0]!;
    const cls = e.broadcastTo(e.reshape(w.classEmbedding, [1, 1, c]), [b, 1, c]); // [B, 1, C]
    const tokens = e.concat([cls, patches], 1); // [B, N+1, C]
    return e.add(tokens, w.positionEmbedding); // [B, N+1, C]
  }

  forward(pixels: Tensor): ClipVisionOutput {
    const e = this.engine;
    const w = this.weights;
    const cfg = this.config;
    return e.tidy(() => {
      const x = e.layerNorm(
        this.embed(pixels),
        w.preLayerNorm.weight,
        w.preLayerNorm.bias,
        cfg.layerNormEps,
      ); // [B, N+1, C]
      const lastHiddenState = runEncoder(e, x, w.layers, cfg, this.act, null); // [B, N+1, C]
      const tokensPostLn = e.layerNorm(
        lastHiddenState,
        w.postLayerNorm.weight,
        w.postLayerNorm.bias,
        cfg.layerNormEps,
      ); // [B, N+1, C]
      const [b, , c] = tokensPostLn.shape as [number, number, number];
      const pooled = e.reshape(e.slice(tokensPostLn, [0, 0, 0], [b, 1, c]), [b, c]); // [B, C]
      const embeds = e.linear(pooled, w.projection, null, { transposed: true }); // [B, P]
      return { lastHiddenState, tokensPostLn, pooled, embeds };
    });
  }
}
