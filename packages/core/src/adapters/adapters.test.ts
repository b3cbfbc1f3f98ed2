import { describe, expect, it } from 'vitest';
import { DecodeSession } from '../decoding/decode-session.js';
import { DecodeOptionsSchema } from '../decoding/decoder-search.js';
import { BeamSearch } from '../decoding/beam-search.js';
import { GreedySearch } from '../decoding/greedy-search.js';
import { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { Gpt2Model } from '../models/gpt2/gpt2-model.js';
import { checkpointConfig, checkpointSource } from '../models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '../models/testing/tiny-gpt2.js';
import { AdamW } from '../optim/adamw.js';
import { Rng } from '../random/rng.js';
import { ReferenceBackend } from '../reference/index.js';
import { parameterCount } from './caption-adapter.js';
import { captionLoss } from './caption-loss.js';
import { ClipCapMapper } from './clipcap-mapper.js';
import { ITuningAdapter } from './ituning-adapter.js';

async function tinyLm(e: Engine) {
  const files = tinyGpt2Checkpoint({ seed: 3, vocabSize: 64, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 48 });
  return Gpt2Model.load(e, { config: checkpointConfig(files), weights: checkpointSource(files) });
}

function features(e: Engine, B: number, N: number, Cv: number, seed: number) {
  return e.tensor(new Rng(seed).normalArray(B * N * Cv), [B, N, Cv]);
}

describe('I-Tuning adapter', () => {
  it('has the paper-range parameter count for GPT-2 base with ViT-B/16 (~14M)', () => {
    const e = new Engine(new ReferenceBackend());
    // Shapes only: build the adapter for C = Cv = 768, 12 layers, r = 384.
    const a = new ITuningAdapter(e, { lmHidden: 768, visionHidden: 768, numLayers: 12 }, { bottleneck: 384 });
    const n = parameterCount(a.params);
    expect(n).toBe(12 * (3 * (768 * 384 + 384) + 384 * 768 + 768));
    expect(n).toBeGreaterThan(13.5e6);
    expect(n).toBeLessThan(14.5e6);
    const dropped = new ITuningAdapter(e, { lmHidden: 768, visionHidden: 768, numLayers: 12 }, { bottleneck: 384, startLayer: 6 });
    expect(parameterCount(dropped.params)).toBe(n / 2);
    a.dispose();
    dropped.dispose();
  });

  it('starts as the frozen LM (zero-initialised up-projection), then changes it', async () => {
    const e = new Engine(new ReferenceBackend());
    const lm = await tinyLm(e);
    const feats = features(e, 2, 5, 8, 1);
    const ids = e.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const plain = await e.read(lm.logits(lm.forward({ inputIds: ids, useCache: false }).hidden));
    const a = new ITuningAdapter(e, { lmHidden: 16, visionHidden: 8, numLayers: 2 }, { bottleneck: 8, heads: 2 });
    const cond = a.condition({ tokens: feats });
    const hooked = await e.read(lm.logits(lm.forward({ inputIds: ids, useCache: false, ffnHook: cond.ffnHook(Int32Array.from([0, 1])) }).hidden));
    expect(Array.from(hooked)).toEqual(Array.from(plain));
    const b = new ITuningAdapter(e, { lmHidden: 16, visionHidden: 8, numLayers: 2 }, { bottleneck: 8, zeroInitUp: false }, 1);
    const changed = await e.read(lm.logits(lm.forward({ inputIds: ids, useCache: false, ffnHook: b.condition({ tokens: feats }).ffnHook(Int32Array.from([0, 1])) }).hidden));
    expect(Array.from(changed)).not.toEqual(Array.from(plain));
  });

  it("computes every layer's K and V' in one product as layer by layer would, and frees what it made", async () => {
    const e = new Engine(new ReferenceBackend());
    const lm = await tinyLm(e);
    const [B, N, Cv, r] = [2, 5, 8, 4];
    const feats = features(e, B, N, Cv, 1);
    const ids = e.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    // Adapters in layer 1 only, then in both layers: the stacked product's slices must land in
    // the right layers, K and V' not swapped.
    for (const startLayer of [1, 0]) {
      const a = new ITuningAdapter(e, { lmHidden: 16, visionHidden: Cv, numLayers: 2 }, { bottleneck: r, startLayer, zeroInitUp: false }, 7);
      const live = e.liveTensors;
      const cond = a.condition({ tokens: feats });
      const got = await e.read(e.tidy(() => lm.logits(lm.forward({ inputIds: ids, useCache: false, ffnHook: cond.ffnHook(Int32Array.from([0, 1])) }).hidden)));
      cond.dispose();
      expect(e.liveTensors - live).toBe(1); // the logits only
      // The adapter's equations, one layer at a time; params per layer: wq, bq, wk, bk, wv, bv, wUp, bUp.
      const byLayer = (layer: number, x: Tensor, ffnOut: Tensor): Tensor => {
        const i = layer - startLayer;
        if (i < 0) return ffnOut;
        const [wq, bq, wk, bk, wv, bv, wUp, bUp] = a.params.slice(8 * i, 8 * i + 8) as Tensor[];
        const T = x.shape[1]!;
        const q = e.reshape(e.linear(x, wq!, bq!), [B, 1, T, r]);
        const k = e.reshape(e.linear(feats, wk!, bk!), [B, 1, N, r]);
        const v = e.reshape(e.linear(feats, wv!, bv!), [B, 1, N, r]);
        const o = e.reshape(e.attention(q, k, v, null, 1 / Math.sqrt(r)), [B, T, r]);
        return e.add(ffnOut, e.linear(o, wUp!, bUp!));
      };
      const want = await e.read(e.tidy(() => lm.logits(lm.forward({ inputIds: ids, useCache: false, ffnHook: byLayer }).hidden)));
      Array.from(got).forEach((g, j) => expect(g).toBeCloseTo(want[j]!, 5));
      a.dispose();
    }
  });

  it('trains: loss falls, gradients reach only the adapter, and the captions follow the image', async () => {
    const e = new Engine(new ReferenceBackend());
    const lm = await tinyLm(e);
    const Cv = 8;
    // Two "images" with distinct features and distinct captions.
    const feats = features(e, 2, 4, Cv, 7);
    const captions = [[10, 11, 12, 13], [20, 21, 22, 23]];
    const a = new ITuningAdapter(e, { lmHidden: 16, visionHidden: Cv, numLayers: 2 }, { bottleneck: 8, initStd: 0.3 }, 2);
    const opt = new AdamW(e, a.params, { lr: 0.05, weightDecay: 0 });
    const frozenBefore = await e.read(lm.weights[0]!);
    let first = 0;
    let last = 0;
    for (let step = 0; step < 120; step++) {
      const { value, grads } = e.valueAndGrads(() => captionLoss(lm, a, { tokens: feats }, { captions }), a.params);
      const loss = await e.readScalar(value);
      if (step === 0) first = loss;
      last = loss;
      opt.update(grads);
      e.dispose([value, ...grads]);
    }
    // A tiny random LM caps how low the loss can go (its LM head is frozen too).
    expect(last).toBeLessThan(first * 0.35);
    expect(Array.from(await e.read(lm.weights[0]!))).toEqual(Array.from(frozenBefore));
    // Decoding conditioned on each image reproduces its caption (greedy and beam, batched).
    const o = DecodeOptionsSchema.parse({ maxNewTokens: 5, numBeams: 3 });
    for (const search of [new GreedySearch(), new BeamSearch()]) {
      const cond = a.condition({ tokens: feats });
      const s = new DecodeSession({ decoder: lm, prompts: [[lm.config.bosTokenId], [lm.config.bosTokenId]], conditioning: cond });
      const out = await search.decode(s, o);
      s.dispose();
      cond.dispose();
      expect(out[0]!.tokens.slice(0, 4)).toEqual(captions[0]);
      expect(out[1]!.tokens.slice(0, 4)).toEqual(captions[1]);
    }
  });
});

describe('ClipCap mapper', () => {
  for (const mapper of ['mlp', 'transformer'] as const) {
    it(`${mapper}: maps embeddings to a prefix and trains to caption`, async () => {
      const e = new Engine(new ReferenceBackend());
      const lm = await tinyLm(e);
      const embeds = e.tensor(new Rng(4).normalArray(2 * 6), [2, 6]);
      const m = new ClipCapMapper(e, { clipDim: 6, embedSize: 16 }, { mapper, prefixLength: 4, clipLength: 2, numLayers: 1, heads: 2 }, 5);
      expect(m.prefix(embeds).shape).toEqual([2, 4, 16]);
      const captions = [[30, 31, 32], [40, 41, 42]];
      const opt = new AdamW(e, m.params, { lr: 0.01, weightDecay: 0 });
      let first = 0;
      let last = 0;
      for (let step = 0; step < 150; step++) {
        const { value, grads } = e.valueAndGrads(() => captionLoss(lm, m, { embeds }, { captions }), m.params);
        last = await e.readScalar(value);
        if (step === 0) first = last;
        opt.update(grads);
        e.dispose([value, ...grads]);
      }
      expect(last).toBeLessThan(first * 0.6);
      const cond = m.condition({ embeds });
      const bos = lm.config.bosTokenId;
      const s = new DecodeSession({ decoder: lm, prompts: [[bos], [bos]], conditioning: cond });
      const out = await new GreedySearch().decode(s, DecodeOptionsSchema.parse({ maxNewTokens: 4 }));
      s.dispose();
      cond.dispose();
      // Decoded as trained: [prefix | BOS] then the caption (a tiny frozen LM and a small
      // mapper fit the image-specific start of each caption reliably).
      expect(out.map((o) => o.tokens.slice(0, 2))).toEqual(captions.map((c) => c.slice(0, 2)));
    });
  }
});
