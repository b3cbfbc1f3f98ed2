/**
 * OPT (`OPTForCausalLM`) as a `LanguageDecoder`, following transformers
 * `models/opt/modeling_opt.py`: embed_tokens (→ project_in) + embed_positions[cumsum(mask) − 1
 * + 2] → layers (pre-LN, or post-LN when `do_layer_norm_before` is false: opt-350m) →
 * final_layer_norm → (project_out) → tied LM head. Queries are scaled by 1/√D. Dropout is off.
 */
import { parseOptConfig, type OptConfig } from '../../checkpoint/opt-config.js';
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor } from '../../engine/tensor.js';
import { DecoderBase } from '../decoder-base.js';
import { causalSelfAttention } from '../decoder-attention.js';
import { applyActivation } from '../hf-activation.js';
import { KvCache, type LayerKv } from '../kv-cache.js';
import type { DecoderForwardInput, DecoderForwardOutput, FfnHook } from '../language-decoder.js';
import { sourceName } from '../weights/checkpoint-weights.js';
import { loadOptWeights, OPT_POSITION_OFFSET, type OptLayerWeights, type OptLinear, type OptNorm, type OptWeights } from './opt-weights.js';

/** nn.LayerNorm's default epsilon, which OPT uses. */
const OPT_LN_EPS = 1e-5;

export interface LoadOptOptions {
  /** The parsed `config.json` object. */
  readonly config: unknown;
  readonly weights: TensorSource;
  /** Names the config in errors. @default "config.json" */
  readonly configFile?: string;
  /** Names the checkpoint in errors. @default the weights' file */
  readonly checkpoint?: string;
}

export class OptModel extends DecoderBase {
  protected readonly label = 'OPT';

  private constructor(
    engine: Engine,
    readonly optConfig: OptConfig,
    private readonly w: OptWeights,
  ) {
    const c = optConfig;
    super(
      engine,
      {
        modelType: 'opt',
        vocabSize: c.vocabSize,
        hiddenSize: c.hiddenSize,
        embedSize: c.wordEmbedProjDim,
        numLayers: c.numHiddenLayers,
        numHeads: c.numAttentionHeads,
        maxPositions: c.maxPositionEmbeddings,
        bosTokenId: c.bosTokenId,
        eosTokenId: c.eosTokenId,
        padTokenId: c.padTokenId,
      },
      w.all,
      w.embedTokens,
      w.lmHead,
    );
  }

  static async load(engine: Engine, options: LoadOptOptions): Promise<OptModel> {
    const config = parseOptConfig(options.config, options.configFile ?? 'config.json');
    const checkpoint = options.checkpoint ?? sourceName(options.weights);
    const weights = await loadOptWeights(engine, options.weights, config, checkpoint);
    return new OptModel(engine, config, weights);
  }

  forward(input: DecoderForwardInput): DecoderForwardOutput {
    const e = this.engine;
    const out = e.tidy(() => {
      const p = this.prepare(input);
      let x = p.embeds; // [B, T, E]
      if (this.w.projectIn) x = e.linear(x, this.w.projectIn, null, { transposed: true }); // [B, T, C]
      // Padding gets cumsum·mask − 1 = −1, i.e. row 1 after the offset, as in HF.
      const pos = this.positionIds(p, OPT_POSITION_OFFSET, OPT_POSITION_OFFSET - 1); // [B, T]
      x = e.add(x, e.gather(this.w.embedPositions, pos)); // [B, T, C]
      const kvs: LayerKv[] = [];
      this.w.layers.forEach((layer, i) => {
        const out = this.layer(x, layer, i, p.past?.layer(i), p.mask, input.ffnHook);
        x = out.x; // [B, T, C]
        kvs.push(out.kv);
      });
      if (this.w.finalNorm) x = this.norm(x, this.w.finalNorm); // [B, T, C]
      if (this.w.projectOut) x = e.linear(x, this.w.projectOut, null, { transposed: true }); // [B, T, E]
      return { hidden: x, kvs: input.useCache === false ? null : kvs };
    });
    return { hidden: out.hidden, cache: out.kvs && KvCache.fromLayers(e, out.kvs) };
  }

  private lin(x: Tensor, l: OptLinear): Tensor {
    return this.engine.linear(x, l.w, l.b, { transposed: true });
  }

  private norm(x: Tensor, n: OptNorm): Tensor {
    return this.engine.layerNorm(x, n.g, n.b, OPT_LN_EPS);
  }

  private layer(
    x: Tensor,
    w: OptLayerWeights,
    layer: number,
    past: LayerKv | undefined,
    mask: Tensor | null,
    hook: FfnHook | undefined,
  ): { x: Tensor; kv: LayerKv } {
    const e = this.engine;
    const c = this.optConfig;
    const pre = c.doLayerNormBefore;
    const h = pre ? this.norm(x, w.attnNorm) : x; // [B, T, C]
    const scale = 1 / Math.sqrt(c.hiddenSize / c.numAttentionHeads);
    const q = this.lin(h, w.q); // [B, T, C]
    const k = this.lin(h, w.k); // [B, T, C]
    const v = this.lin(h, w.v); // [B, T, C]
    const attn = causalSelfAttention(e, { q, k, v, heads: c.numAttentionHeads, past, mask, scale }); // [B, T, C]
    let x1 = e.add(x, this.lin(attn.out, w.out)); // [B, T, C]
    if (!pre) x1 = this.norm(x1, w.attnNorm); // [B, T, C]
    const h2 = pre ? this.norm(x1, w.ffnNorm) : x1; // [B, T, C]
    const f1 = applyActivation(e, c.activation, this.lin(h2, w.fc1)); // [B, T, F]
    const f = this.ffn(hook, layer, h2, this.lin(f1, w.fc2)); // [B, T, C]
    let x2 = e.add(x1, f); // [B, T, C]
    if (!pre) x2 = this.norm(x2, w.ffnNorm); // [B, T, C]
    return { x: x2, kv: attn.kv };
  }
}
