/**
 * OPT weights by their Hugging Face names (transformers `models/opt/modeling_opt.py`):
 * `embed_tokens`, `embed_positions` (2 extra rows: the position offset), optional
 * `project_in` / `project_out` (when `word_embed_proj_dim != hidden_size`),
 * `layers.{i}.self_attn.{q,k,v,out}_proj`, `self_attn_layer_norm`, `fc1`, `fc2`,
 * `final_layer_norm`, and the decoder's `final_layer_norm`. nn.Linear weights are [out, in].
 * `OPTForCausalLM` files prefix them with `model.decoder.`; facebook/opt-* uploads (saved from
 * `OPTModel`) with `decoder.`. `lm_head.weight` is ignored when tied.
 */
import type { OptConfig } from '../../checkpoint/opt-config.js';
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor, Variable } from '../../engine/tensor.js';
import { loadWeights, resolvePrefix, weight, type WeightSpec } from '../weights/checkpoint-weights.js';

export const OPT_PREFIXES = ['model.decoder.', 'decoder.'] as const;

/** Learned positions start at row 2 (`OPTLearnedPositionalEmbedding.offset`). */
export const OPT_POSITION_OFFSET = 2;

export interface OptNorm {
  readonly g: Tensor; // [C]
  readonly b: Tensor; // [C]
}

export interface OptLinear {
  readonly w: Tensor; // [out, in]
  readonly b: Tensor | null; // [out]
}

export interface OptLayerWeights {
  readonly q: OptLinear;
  readonly k: OptLinear;
  readonly v: OptLinear;
  readonly out: OptLinear;
  readonly attnNorm: OptNorm;
  readonly fc1: OptLinear; // [F, C]
  readonly fc2: OptLinear; // [C, F]
  readonly ffnNorm: OptNorm;
}

export interface OptWeights {
  readonly embedTokens: Variable; // [V, E]
  readonly embedPositions: Variable; // [P + 2, C]
  readonly projectIn: Variable | null; // [C, E]
  readonly projectOut: Variable | null; // [E, C]
  readonly layers: readonly OptLayerWeights[];
  readonly finalNorm: OptNorm | null;
  readonly lmHead: Variable; // [V, E]
  readonly all: readonly Variable[];
}

const hasFinalNorm = (c: OptConfig): boolean => c.doLayerNormBefore && !c.removeFinalLayerNorm;

export function optWeightSpecs(c: OptConfig): WeightSpec[] {
  const C = c.hiddenSize;
  const E = c.wordEmbedProjDim;
  const specs: WeightSpec[] = [
    { name: 'embed_tokens.weight', shape: [c.vocabSize, E] },
    { name: 'embed_positions.weight', shape: [c.maxPositionEmbeddings + OPT_POSITION_OFFSET, C] },
  ];
  if (E !== C) specs.push({ name: 'project_in.weight', shape: [C, E] }, { name: 'project_out.weight', shape: [E, C] });
  const linear = (name: string, out: number, inp: number) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp] });
    if (c.enableBias) specs.push({ name: `${name}.bias`, shape: [out] });
  };
  const norm = (name: string) => {
    if (c.layerNormElementwiseAffine) specs.push({ name: `${name}.weight`, shape: [C] }, { name: `${name}.bias`, shape: [C] });
  };
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const l = `layers.${i}.`;
    for (const p of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) linear(`${l}self_attn.${p}`, C, C);
    norm(`${l}self_attn_layer_norm`);
    linear(`${l}fc1`, c.ffnDim, C);
    linear(`${l}fc2`, C, c.ffnDim);
    norm(`${l}final_layer_norm`);
  }
  if (hasFinalNorm(c)) norm('final_layer_norm');
  return specs;
}

/** Checks and uploads OPT's weights; `checkpoint` names the source in errors. */
export async function loadOptWeights(engine: Engine, source: TensorSource, c: OptConfig, checkpoint: string): Promise<OptWeights> {
  const prefix = resolvePrefix(source, OPT_PREFIXES, 'embed_tokens.weight', checkpoint);
  const w = await loadWeights(engine, source, optWeightSpecs(c), { prefix, checkpoint });
  const all = [...w.values()];
  let lmHead = weight(w, 'embed_tokens.weight');
  if (!c.tieWordEmbeddings) {
    const head = await loadWeights(engine, source, [{ name: 'lm_head.weight', shape: [c.vocabSize, c.wordEmbedProjDim] }], {
      prefix: '',
      checkpoint,
    }).catch((error: unknown) => {
      for (const v of all) engine.dispose(v);
      throw error;
    });
    lmHead = weight(head, 'lm_head.weight');
    all.push(lmHead);
  }
  // Without elementwise affine, layer norms are plain: shared constant ones / zeros.
  let unit: OptNorm | null = null;
  if (!c.layerNormElementwiseAffine) {
    const ones = engine.variable(engine.ones([c.hiddenSize]), { trainable: false, name: 'opt.layer_norm.ones' });
    const zeros = engine.variable(engine.zeros([c.hiddenSize]), { trainable: false, name: 'opt.layer_norm.zeros' });
    all.push(ones, zeros);
    unit = { g: ones, b: zeros };
  }
  const norm = (name: string): OptNorm => unit ?? { g: weight(w, `${name}.weight`), b: weight(w, `${name}.bias`) };
  const linear = (name: string): OptLinear => ({ w: weight(w, `${name}.weight`), b: c.enableBias ? weight(w, `${name}.bias`) : null });
  const layers: OptLayerWeights[] = [];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const l = `layers.${i}.`;
    layers.push({
      q: linear(`${l}self_attn.q_proj`),
      k: linear(`${l}self_attn.k_proj`),
      v: linear(`${l}self_attn.v_proj`),
      out: linear(`${l}self_attn.out_proj`),
      attnNorm: norm(`${l}self_attn_layer_norm`),
      fc1: linear(`${l}fc1`),
      fc2: linear(`${l}fc2`),
      ffnNorm: norm(`${l}final_layer_norm`),
    });
  }
  const projected = c.wordEmbedProjDim !== c.hiddenSize;
  return {
    embedTokens: weight(w, 'embed_tokens.weight'),
    embedPositions: weight(w, 'embed_positions.weight'),
    projectIn: projected ? weight(w, 'project_in.weight') : null,
    projectOut: projected ? weight(w, 'project_out.weight') : null,
    layers,
    finalNorm: hasFinalNorm(c) ? norm('final_layer_norm') : null,
    lmHead,
    all,
  };
}
