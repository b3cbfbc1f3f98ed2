/**
 * Language-model pretraining of a GPT-2 held as trainable variables (by Hugging Face names,
 * hub `gpt2` layout): the forward of transformers `modeling_gpt2.py` (the same math as
 * models/gpt2/gpt2-model.ts, which loads weights frozen) and the next-token cross-entropy of
 * `[BOS, caption…, EOS]` sequences — the sequences the captioning loss feeds the frozen LM.
 *
 * With a 50,257-token vocabulary the full softmax dominates a step on a CPU backend, so the
 * loss can be a sampled softmax (Jean et al. 2015; Bengio & Senécal 2008): the logits of a
 * candidate set — every token of the corpus plus uniformly sampled negatives, the negatives
 * shifted by log((V − P) / K) (the log-Q correction for uniform sampling) so the candidate
 * softmax estimates the full one. The sampling and the corrected logits are shared with the
 * captioning loss (adapters/sampled-softmax.ts).
 */
import { parseGpt2Config, type Gpt2Config } from '../checkpoint/gpt2-config.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import { causalSelfAttention } from '../models/decoder-attention.js';
import { causalMask } from '../models/clip/clip-text.js';
import { applyActivation } from '../models/hf-activation.js';
import type { TrainableWeights } from './trainable-weights.js';
import {
  candidateTargets,
  sampledLogits,
  type SampledSoftmax,
} from '../adapters/sampled-softmax.js';

export { sampleSoftmaxCandidates, type SampledSoftmax } from '../adapters/sampled-softmax.js';

export class TrainableGpt2 {
  readonly config: Gpt2Config;

  constructor(
    private readonly engine: Engine,
    config: unknown,
    readonly weights: TrainableWeights,
  ) {
    this.config = parseGpt2Config(config);
  }

  get params(): Variable[] {
    return [...this.weights.byName.values()];
  }

  private w(name: string): Variable {
    const v = this.weights.byName.get(name);
    if (!v) throw new Error(`TrainableGpt2: no weight "${name}"`);
    return v;
  }

  /** ids int32 [B, T] → final hidden states [B, T, C] (causal; right padding never affects earlier positions). */
  hidden(ids: Tensor): Tensor {
    const e = this.engine;
    const c = this.config;
    const C = c.nEmbd;
    const T = ids.shape[1]!;
    const pos = e.tensor(
      Int32Array.from({ length: T }, (_, i) => i),
      [T],
      'int32',
    ); // [T]
    let x = e.add(e.gather(this.w('wte.weight'), ids), e.gather(this.w('wpe.weight'), pos)); // [B, T, C]
    const mask = causalMask(e, T); // [1, 1, T, T]
    const scale = c.scaleAttnWeights ? 1 / Math.sqrt(C / c.nHead) : 1;
    for (let i = 0; i < c.nLayer; i++) {
      const h = `h.${i}.`;
      const ln = (n: string, y: Tensor) =>
        e.layerNorm(y, this.w(`${h}${n}.weight`), this.w(`${h}${n}.bias`), c.layerNormEps);
      const qkv = e.linear(
        ln('ln_1', x),
        this.w(`${h}attn.c_attn.weight`),
        this.w(`${h}attn.c_attn.bias`),
      ); // [B, T, 3C]
      const q = e.slice(qkv, [0, 0, 0], [-1, -1, C]); // [B, T, C]
      const k = e.slice(qkv, [0, 0, C], [-1, -1, C]);
      const v = e.slice(qkv, [0, 0, 2 * C], [-1, -1, C]);
      const layerScale = c.scaleAttnByInverseLayerIdx ? scale / (i + 1) : scale;
      const attn = causalSelfAttention(e, { q, k, v, heads: c.nHead, mask, scale: layerScale });
      x = e.add(
        x,
        e.linear(attn.out, this.w(`${h}attn.c_proj.weight`), this.w(`${h}attn.c_proj.bias`)),
      ); // [B, T, C]
      const f = applyActivation(
        e,
        c.activation,
        e.linear(ln('ln_2', x), this.w(`${h}mlp.c_fc.weight`), this.w(`${h}mlp.c_fc.bias`)),
      ); // [B, T, I]
      x = e.add(x, e.linear(f, this.w(`${h}mlp.c_proj.weight`), this.w(`${h}mlp.c_proj.bias`))); // [B, T, C]
    }
    return e.layerNorm(x, this.w('ln_f.weight'), this.w('ln_f.bias'), c.layerNormEps); // [B, T, C]
  }

  /** ids int32 [B, T] → logits [B, T, V] through the tied head. */
  logits(ids: Tensor): Tensor {
    const e = this.engine;
    const [B, T] = ids.shape as [number, number];
    const C = this.config.nEmbd;
    const flat = e.matmul(e.reshape(this.hidden(ids), [B * T, C]), this.w('wte.weight'), {
      transposeB: true,
    }); // [B·T, V]
    return e.reshape(flat, [B, T, this.config.vocabSize]); // [B, T, V]
  }

  /**
   * Mean next-token cross-entropy over `[BOS, caption…, EOS]` (captions without BOS/EOS, as
   * token ids); padding positions carry no loss. → []
   */
  lmLoss(captions: readonly (readonly number[])[], sampled?: SampledSoftmax): Tensor {
    const e = this.engine;
    const { bosTokenId: bos, eosTokenId: eos } = this.config;
    const B = captions.length;
    const T = 1 + Math.max(...captions.map((c) => c.length));
    const ids = new Int32Array(B * T).fill(eos);
    const targets = new Int32Array(B * T);
    const weights = new Float32Array(B * T);
    captions.forEach((cap, b) => {
      [bos, ...cap].forEach((t, i) => (ids[b * T + i] = t));
      [...cap, eos].forEach((t, i) => {
        targets[b * T + i] = t;
        weights[b * T + i] = 1;
      });
    });
    const count = weights.reduce((a, b) => a + b, 0);
    const idsT = e.tensor(ids, [B, T], 'int32');
    let logits: Tensor;
    if (sampled) {
      const C = this.config.nEmbd;
      const mapped = candidateTargets(targets, weights, sampled, 'lmLoss');
      targets.set(mapped);
      const head = e.gather(
        this.w('wte.weight'),
        e.tensor(sampled.candidates, [sampled.candidates.length], 'int32'),
      ); // [K, C]
      logits = sampledLogits(e, e.reshape(this.hidden(idsT), [B * T, C]), head, sampled); // [B·T, K]
    } else {
      logits = e.reshape(this.logits(idsT), [B * T, this.config.vocabSize]); // [B·T, V]
    }
    const ce = e.softmaxCrossEntropy(logits, e.tensor(targets, [B * T], 'int32')); // [B·T]
    return e.div(e.sum(e.mul(ce, e.tensor(weights, [B * T]))), count); // []
  }
}
