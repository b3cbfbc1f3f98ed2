/**
 * The shapes world's tiny CLIP: Hugging Face `CLIPModel` config (ViT 64 px, patch 8, width 64,
 * 3 layers; text width 64, 3 layers, context 32, a reduced CLIP BPE vocabulary) and its random
 * initialisation as transformers' `CLIPPreTrainedModel._init_weights` does it (factor 1).
 */
import { OPENAI_CLIP_MEAN, OPENAI_CLIP_STD } from '../checkpoint/clip-image-processor-config.js';
import type { TensorToWrite } from '../checkpoint/safetensors-serialize.js';
import { Rng } from '../random/rng.js';

export interface ShapesClipDims {
  readonly vocabSize: number;
  /** @default 64 */
  readonly imageSize?: number;
  /** @default 8 */
  readonly patchSize?: number;
  /** @default 64 */
  readonly width?: number;
  /** @default 3 */
  readonly visionLayers?: number;
  /** @default 3 */
  readonly textLayers?: number;
  /** @default 32 */
  readonly contextLength?: number;
  /** @default 64 */
  readonly projectionDim?: number;
}

export function shapesClipConfig(d: ShapesClipDims) {
  const w = d.width ?? 64;
  const p = d.projectionDim ?? 64;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: p,
    logit_scale_init_value: 2.6592,
    initializer_factor: 1.0,
    torch_dtype: 'float32',
    text_config: {
      model_type: 'clip_text_model',
      vocab_size: d.vocabSize,
      hidden_size: w,
      intermediate_size: 4 * w,
      num_hidden_layers: d.textLayers ?? 3,
      num_attention_heads: 4,
      max_position_embeddings: d.contextLength ?? 32,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
      pad_token_id: 1,
      bos_token_id: d.vocabSize - 2,
      eos_token_id: d.vocabSize - 1,
      projection_dim: p,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: w,
      intermediate_size: 4 * w,
      num_hidden_layers: d.visionLayers ?? 3,
      num_attention_heads: 4,
      num_channels: 3,
      image_size: d.imageSize ?? 64,
      patch_size: d.patchSize ?? 8,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
      projection_dim: p,
    },
  };
}
export type ShapesClipConfig = ReturnType<typeof shapesClipConfig>;

/** preprocessor_config.json: shortest edge and crop at the vision tower's image size, bicubic. */
export function shapesClipPreprocessorConfig(imageSize: number) {
  return {
    image_processor_type: 'CLIPImageProcessor',
    do_resize: true,
    size: { shortest_edge: imageSize },
    resample: 3,
    do_center_crop: true,
    crop_size: { height: imageSize, width: imageSize },
    do_rescale: true,
    rescale_factor: 0.00392156862745098,
    do_normalize: true,
    image_mean: [...OPENAI_CLIP_MEAN],
    image_std: [...OPENAI_CLIP_STD],
    do_convert_rgb: true,
  };
}

/** Random initial tensors in the CLIPModel state-dict layout (F32). */
export function initClipTensors(cfg: ShapesClipConfig, seed: number): Record<string, TensorToWrite> {
  const rng = new Rng(seed);
  const out: Record<string, TensorToWrite> = {};
  const normal = (name: string, shape: number[], std: number) =>
    (out[name] = { dtype: 'F32', shape, data: rng.normalArray(shape.reduce((a, b) => a * b, 1), std) });
  const constant = (name: string, shape: number[], v: number) =>
    (out[name] = { dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });
  const encoder = (prefix: string, c: number, inter: number, layers: number) => {
    const inStd = c ** -0.5 * (2 * layers) ** -0.5;
    for (let i = 0; i < layers; i++) {
      const p = `${prefix}.encoder.layers.${i}`;
      for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
        normal(`${p}.self_attn.${proj}.weight`, [c, c], proj === 'out_proj' ? c ** -0.5 : inStd);
        constant(`${p}.self_attn.${proj}.bias`, [c], 0);
      }
      for (const ln of ['layer_norm1', 'layer_norm2']) {
        constant(`${p}.${ln}.weight`, [c], 1);
        constant(`${p}.${ln}.bias`, [c], 0);
      }
      normal(`${p}.mlp.fc1.weight`, [inter, c], (2 * c) ** -0.5);
      constant(`${p}.mlp.fc1.bias`, [inter], 0);
      normal(`${p}.mlp.fc2.weight`, [c, inter], inStd);
      constant(`${p}.mlp.fc2.bias`, [c], 0);
    }
  };
  const v = cfg.vision_config;
  const t = cfg.text_config;
  const positions = (v.image_size / v.patch_size) ** 2 + 1;
  normal('vision_model.embeddings.class_embedding', [v.hidden_size], v.hidden_size ** -0.5);
  normal('vision_model.embeddings.patch_embedding.weight', [v.hidden_size, v.num_channels, v.patch_size, v.patch_size], 0.02);
  normal('vision_model.embeddings.position_embedding.weight', [positions, v.hidden_size], 0.02);
  constant('vision_model.pre_layrnorm.weight', [v.hidden_size], 1);
  constant('vision_model.pre_layrnorm.bias', [v.hidden_size], 0);
  encoder('vision_model', v.hidden_size, v.intermediate_size, v.num_hidden_layers);
  constant('vision_model.post_layernorm.weight', [v.hidden_size], 1);
  constant('vision_model.post_layernorm.bias', [v.hidden_size], 0);
  normal('visual_projection.weight', [cfg.projection_dim, v.hidden_size], v.hidden_size ** -0.5);
  normal('text_model.embeddings.token_embedding.weight', [t.vocab_size, t.hidden_size], 0.02);
  normal('text_model.embeddings.position_embedding.weight', [t.max_position_embeddings, t.hidden_size], 0.02);
  encoder('text_model', t.hidden_size, t.intermediate_size, t.num_hidden_layers);
  constant('text_model.final_layer_norm.weight', [t.hidden_size], 1);
  constant('text_model.final_layer_norm.bias', [t.hidden_size], 0);
  normal('text_projection.weight', [cfg.projection_dim, t.hidden_size], t.hidden_size ** -0.5);
  out['logit_scale'] = { dtype: 'F32', shape: [], data: Float32Array.of(cfg.logit_scale_init_value) };
  return out;
}
