/**
 * GPT-2 weights by their Hugging Face names (transformers `modeling_gpt2.py`): `wte`, `wpe`,
 * `h.{i}.ln_1`, `h.{i}.attn.c_attn` / `c_proj`, `h.{i}.ln_2`, `h.{i}.mlp.c_fc` / `c_proj`, `ln_f`.
 * Conv1D weights are stored [in, out]. `GPT2LMHeadModel.save_pretrained` prefixes everything
 * with `transformer.`; the hub's original `gpt2` files have no prefix. The `attn.bias` /
 * `attn.masked_bias` buffers are not weights and are ignored, as is `lm_head.weight` when tied.
 */
import type { Gpt2Config } from '../../checkpoint/gpt2-config.js';
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import type { Engine } from '../../engine/engine.js';
import type { Variable } from '../../engine/tensor.js';
import { loadWeights, resolvePrefix, weight, type WeightSpec } from '../weights/checkpoint-weights.js';

export const GPT2_PREFIXES = ['transformer.', ''] as const;

export interface Gpt2BlockWeights {
  readonly ln1: { readonly g: Variable; readonly b: Variable }; // [C]
  readonly cAttnW: Variable; // [C, 3C]
  readonly cAttnB: Variable; // [3C]
  readonly attnProjW: Variable; // [C, C]
  readonly attnProjB: Variable; // [C]
  readonly ln2: { readonly g: Variable; readonly b: Variable }; // [C]
  readonly fcW: Variable; // [C, I]
  readonly fcB: Variable; // [I]
  readonly mlpProjW: Variable; // [I, C]
  readonly mlpProjB: Variable; // [C]
}

export interface Gpt2Weights {
  readonly wte: Variable; // [V, C]
  readonly wpe: Variable; // [P, C]
  readonly blocks: readonly Gpt2BlockWeights[];
  readonly lnF: { readonly g: Variable; readonly b: Variable }; // [C]
  /** [V, C]: `wte` when tied, else `lm_head.weight`. */
  readonly lmHead: Variable;
  readonly all: readonly Variable[];
}

/** Every tensor GPT-2 needs with the shape `config` implies (names without prefix). */
export function gpt2WeightSpecs(c: Gpt2Config): WeightSpec[] {
  const C = c.nEmbd;
  const specs: WeightSpec[] = [
    { name: 'wte.weight', shape: [c.vocabSize, C] },
    { name: 'wpe.weight', shape: [c.nPositions, C] },
  ];
  for (let i = 0; i < c.nLayer; i++) {
    const h = `h.${i}.`;
    specs.push(
      { name: `${h}ln_1.weight`, shape: [C] },
      { name: `${h}ln_1.bias`, shape: [C] },
      { name: `${h}attn.c_attn.weight`, shape: [C, 3 * C] },
      { name: `${h}attn.c_attn.bias`, shape: [3 * C] },
      { name: `${h}attn.c_proj.weight`, shape: [C, C] },
      { name: `${h}attn.c_proj.bias`, shape: [C] },
      { name: `${h}ln_2.weight`, shape: [C] },
      { name: `${h}ln_2.bias`, shape: [C] },
      { name: `${h}mlp.c_fc.weight`, shape: [C, c.nInner] },
      { name: `${h}mlp.c_fc.bias`, shape: [c.nInner] },
      { name: `${h}mlp.c_proj.weight`, shape: [c.nInner, C] },
      { name: `${h}mlp.c_proj.bias`, shape: [C] },
    );
  }
  specs.push({ name: 'ln_f.weight', shape: [C] }, { name: 'ln_f.bias', shape: [C] });
  return specs;
}

/** Checks and uploads GPT-2's weights from `source`; `checkpoint` names it in errors. */
export async function loadGpt2Weights(engine: Engine, source: TensorSource, c: Gpt2Config, checkpoint: string): Promise<Gpt2Weights> {
  const prefix = resolvePrefix(source, GPT2_PREFIXES, 'wte.weight', checkpoint);
  const specs = gpt2WeightSpecs(c);
  const w = await loadWeights(engine, source, specs, { prefix, checkpoint });
  let lmHead = weight(w, 'wte.weight');
  if (!c.tieWordEmbeddings) {
    // An untied head lives outside the base model, at the top level (`lm_head.weight`).
    const spec = { name: 'lm_head.weight', shape: [c.vocabSize, c.nEmbd] };
    const head = await loadWeights(engine, source, [spec], { prefix: '', checkpoint }).catch((error: unknown) => {
      for (const v of w.values()) engine.dispose(v);
      throw error;
    });
    lmHead = weight(head, 'lm_head.weight');
    w.set('lm_head.weight', lmHead);
  }
  const ln = (name: string) => ({ g: weight(w, `${name}.weight`), b: weight(w, `${name}.bias`) });
  const blocks: Gpt2BlockWeights[] = [];
  for (let i = 0; i < c.nLayer; i++) {
    const h = `h.${i}.`;
    blocks.push({
      ln1: ln(`${h}ln_1`),
      cAttnW: weight(w, `${h}attn.c_attn.weight`),
      cAttnB: weight(w, `${h}attn.c_attn.bias`),
      attnProjW: weight(w, `${h}attn.c_proj.weight`),
      attnProjB: weight(w, `${h}attn.c_proj.bias`),
      ln2: ln(`${h}ln_2`),
      fcW: weight(w, `${h}mlp.c_fc.weight`),
      fcB: weight(w, `${h}mlp.c_fc.bias`),
      mlpProjW: weight(w, `${h}mlp.c_proj.weight`),
      mlpProjB: weight(w, `${h}mlp.c_proj.bias`),
    });
  }
  return { wte: weight(w, 'wte.weight'), wpe: weight(w, 'wpe.weight'), blocks, lnF: ln('ln_f'), lmHead, all: [...w.values()] };
}
