/**
 * GPT-2 (`GPT2LMHeadModel`) as a `LanguageDecoder`, following transformers
 * `models/gpt2/modeling_gpt2.py` (eager attention): wte + wpe → blocks (ln_1 → attn → residual,
 * ln_2 → mlp (c_fc → gelu_new → c_proj) → residual) → ln_f → tied LM head. Attention scores
 * are scaled by 1/√D (`scale_attn_weights`) and by 1/(layer + 1) with
 * `scale_attn_by_inverse_layer_idx`. Dropout is off (inference and frozen-LM training).
 */
import { parseGpt2Config, type Gpt2Config } from '../../checkpoint/gpt2-config.js';
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor } from '../../engine/tensor.js';
import { DecoderBase } from '../decoder-base.js';
import { causalSelfAttention } from '../decoder-attention.js';
import { applyActivation } from '../hf-activation.js';
import { KvCache, type LayerKv } from '../kv-cache.js';
import type { DecoderForwardInput, DecoderForwardOutput, FfnHook } from '../language-decoder.js';
import { sourceName } from '../weights/checkpoint-weights.js';
import { loadGpt2Weights, type Gpt2BlockWeights, type Gpt2Weights } from './gpt2-weights.js';

export interface LoadGpt2Options {
  /** The parsed `config.json` object. */
  readonly config: unknown;
  readonly weights: TensorSource;
  /** Names the config in errors. @default "config.json" */
  readonly configFile?: string;
  /** Names the checkpoint in errors. @default the weights' file */
  readonly checkpoint?: string;
}

export class Gpt2Model extends DecoderBase {
  protected readonly label = 'GPT-2';

  private constructor(
    engine: Engine,
    readonly gpt2Config: Gpt2Config,
    private readonly w: Gpt2Weights,
  ) {
    const c = gpt2Config;
    super(
      engine,
      {
        modelType: 'gpt2',
        vocabSize: c.vocabSize,
        hiddenSize: c.nEmbd,
        embedSize: c.nEmbd,
        numLayers: c.nLayer,
        numHeads: c.nHead,
        maxPositions: c.nPositions,
        bosTokenId: c.bosTokenId,
        eosTokenId: c.eosTokenId,
        padTokenId: c.eosTokenId,
      },
      w.all,
      w.wte,
      w.lmHead,
    );
  }

  /** Parses the config, checks every tensor's name and shape, and uploads the weights once. */
  static async load(engine: Engine, options: LoadGpt2Options): Promise<Gpt2Model> {
    const config = parseGpt2Config(options.config, options.configFile ?? 'config.json');
    const checkpoint = options.checkpoint ?? sourceName(options.weights);
    const weights = await loadGpt2Weights(engine, options.weights, config, checkpoint);
    return new Gpt2Model(engine, config, weights);
  }

  forward(input: DecoderForwardInput): DecoderForwardOutput {
    const e = this.engine;
    const out = e.tidy(() => {
      const p = this.prepare(input);
      // HF's generate puts padding at position 1 (`position_ids.masked_fill_(attention_mask == 0, 1)`).
      const pos = this.positionIds(p, 0, Math.min(1, this.gpt2Config.nPositions - 1)); // [B, T]
      let x = e.add(p.embeds, e.gather(this.w.wpe, pos)); // [B, T, C]
      const kvs: LayerKv[] = [];
      this.w.blocks.forEach((block, i) => {
        const out = this.block(x, block, i, p.past?.layer(i), p.mask, input.ffnHook);
        x = out.x; // [B, T, C]
        kvs.push(out.kv);
      });
      const hidden = e.layerNorm(x, this.w.lnF.g, this.w.lnF.b, this.gpt2Config.layerNormEps); // [B, T, C]
      return { hidden, kvs: input.useCache === false ? null : kvs };
    });
    return { hidden: out.hidden, cache: out.kvs && KvCache.fromLayers(e, out.kvs) };
  }

  private block(
    x: Tensor,
    w: Gpt2BlockWeights,
    layer: number,
    past: LayerKv | undefined,
    mask: Tensor | null,
    hook: FfnHook | undefined,
  ): { x: Tensor; kv: LayerKv } {
    const e = this.engine;
    const c = this.gpt2Config;
    const C = c.nEmbd;
    const h = e.layerNorm(x, w.ln1.g, w.ln1.b, c.layerNormEps); // [B, T, C]
    const qkv = e.linear(h, w.cAttnW, w.cAttnB); // [B, T, 3C]
    const q = e.slice(qkv, [0, 0, 0], [-1, -1, C]); // [B, T, C]
    const k = e.slice(qkv, [0, 0, C], [-1, -1, C]); // [B, T, C]
    const v = e.slice(qkv, [0, 0, 2 * C], [-1, -1, C]); // [B, T, C]
    let scale = c.scaleAttnWeights ? 1 / Math.sqrt(C / c.nHead) : 1;
    if (c.scaleAttnByInverseLayerIdx) scale /= layer + 1;
    const attn = causalSelfAttention(e, { q, k, v, heads: c.nHead, past, mask, scale }); // [B, T, C]
    const a = e.linear(attn.out, w.attnProjW, w.attnProjB); // [B, T, C]
    const x1 = e.add(x, a); // [B, T, C]
    const h2 = e.layerNorm(x1, w.ln2.g, w.ln2.b, c.layerNormEps); // [B, T, C]
    const f1 = applyActivation(e, c.activation, e.linear(h2, w.fcW, w.fcB)); // [B, T, I]
    const f = this.ffn(hook, layer, h2, e.linear(f1, w.mlpProjW, w.mlpProjB)); // [B, T, C]
    return { x: e.add(x1, f), kv: attn.kv }; // [B, T, C]
  }
}
