import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { Gpt2Model } from '../models/gpt2/gpt2-model.js';
import {
  checkpointConfig,
  checkpointSource,
  editCheckpoint,
  randomTensor,
} from '../models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '../models/testing/tiny-gpt2.js';
import { AdamW } from '../optim/adamw.js';
import { Rng } from '../random/rng.js';
import { ReferenceBackend } from '../reference/index.js';
import {
  captionLoss,
  CaptionSoftmaxSchema,
  lmHeadRows,
  type CaptionLossOptions,
} from './caption-loss.js';
import { ITuningAdapter } from './ituning-adapter.js';
import { sampleSoftmaxCandidates } from './sampled-softmax.js';

const V = 64;

async function tinyLm(e: Engine, untied = false) {
  let files = tinyGpt2Checkpoint({
    seed: 3,
    vocabSize: V,
    nEmbd: 16,
    nLayer: 2,
    nHead: 2,
    nPositions: 48,
    lmHead: untied,
  });
  let config = checkpointConfig(files) as Record<string, unknown>;
  if (untied) {
    files = editCheckpoint(
      files,
      (t) => (t['lm_head.weight'] = randomTensor(new Rng(11), [V, 16], { std: 0.3 }, 'F32')),
    );
    config = { ...config, tie_word_embeddings: false };
  }
  return Gpt2Model.load(e, { config, weights: checkpointSource(files) });
}

/** An I-Tuning adapter with a non-zero up-projection (so gradients reach every parameter) and its features. */
function setup(e: Engine) {
  const feats = e.tensor(new Rng(7).normalArray(3 * 4 * 8), [3, 4, 8]); // [B, N, Cv]
  const adapter = new ITuningAdapter(
    e,
    { lmHidden: 16, visionHidden: 8, numLayers: 2 },
    { bottleneck: 8, zeroInitUp: false, initStd: 0.3 },
    2,
  );
  const captions = [
    [10, 11, 12, 13],
    [20, 21],
    [30, 31, 10],
  ];
  return { feats, adapter, captions };
}

async function lossAndGrads(
  e: Engine,
  fn: () => Tensor,
  params: Parameters<Engine['valueAndGrads']>[1],
) {
  const { value, grads } = e.valueAndGrads(fn, params);
  const out = {
    loss: await e.readScalar(value),
    grads: await Promise.all(grads.map(async (g) => Float32Array.from(await e.read(g)))),
  };
  e.dispose([value, ...grads]);
  return out;
}

const flat = (gs: Float32Array[]) => Float32Array.from(gs.flatMap((g) => Array.from(g)));
const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => ((ab += x * b[i]!), (aa += x * x), (bb += b[i]! * b[i]!)));
  return ab / Math.sqrt(aa * bb);
};

describe('sampleSoftmaxCandidates', () => {
  it('puts the distinct positives first, then distinct negatives with the log-Q correction', () => {
    const s = sampleSoftmaxCandidates([5, 3, 5, 9], 100, 20, new Rng(1));
    expect(Array.from(s.candidates.slice(0, 3))).toEqual([5, 3, 9]);
    expect(s.candidates.length).toBe(23);
    expect(new Set(s.candidates).size).toBe(23);
    expect(Array.from(s.logCorrection.slice(0, 3))).toEqual([0, 0, 0]);
    for (const c of s.logCorrection.slice(3)) expect(c).toBeCloseTo(Math.log(97 / 20), 6);
    for (const id of s.candidates) expect(id >= 0 && id < 100).toBe(true);
  });

  it('covers the whole vocabulary (correction 0) when K ≥ V − P, whichever sampling branch runs', () => {
    for (const k of [60, 97, 1000]) {
      const s = sampleSoftmaxCandidates([5, 3, 9], 100, k, new Rng(2));
      const n = Math.min(k, 97);
      expect(new Set(s.candidates).size).toBe(3 + n);
      if (n === 97) expect(Array.from(s.logCorrection).every((c) => c === 0)).toBe(true);
      else expect(s.logCorrection[3]).toBeCloseTo(Math.log(97 / 60), 6);
    }
  });

  it('is a function of the RNG state, and rejects ids outside the vocabulary', () => {
    const a = sampleSoftmaxCandidates([1], 1000, 50, new Rng(9));
    const b = sampleSoftmaxCandidates([1], 1000, 50, new Rng(9));
    expect(Array.from(a.candidates)).toEqual(Array.from(b.candidates));
    expect(() => sampleSoftmaxCandidates([100], 100, 5, new Rng(1))).toThrow(
      'token id 100 is outside the vocabulary [0, 100)',
    );
  });
});

describe('captionLoss with a sampled softmax', () => {
  for (const untied of [false, true]) {
    it(`equals the full softmax, value and gradients, when the negatives cover the vocabulary (${untied ? 'untied' : 'tied'} head)`, async () => {
      const e = new Engine(new ReferenceBackend());
      const lm = await tinyLm(e, untied);
      const { feats, adapter, captions } = setup(e);
      const run = (o: CaptionLossOptions) =>
        lossAndGrads(
          e,
          () => captionLoss(lm, adapter, { tokens: feats }, { captions }, o),
          adapter.params,
        );
      const full = await run({});
      const sampled = await run({ sampledSoftmax: { negatives: V, rng: new Rng(5) } });
      expect(sampled.loss).toBeCloseTo(full.loss, 5);
      expect(full.grads.length).toBe(adapter.params.length);
      full.grads.forEach((g, i) =>
        g.forEach((v, j) => expect(sampled.grads[i]![j]!).toBeCloseTo(v, 5)),
      );
      expect(Math.max(...flat(full.grads).map(Math.abs))).toBeGreaterThan(1e-4);
    });
  }

  it('gathers the head rows it needs: the tied embeddings, or the untied lm_head', async () => {
    const e = new Engine(new ReferenceBackend());
    for (const untied of [false, true]) {
      const lm = await tinyLm(e, untied);
      const ids = Int32Array.from([4, 0, 63]);
      const rows = Array.from(await e.read(lmHeadRows(lm, ids)));
      // The full head's logits of a one-hot hidden state e_j are column j of the head: compare.
      const eye = e.tensor(
        Float32Array.from({ length: 16 * 16 }, (_, i) => (i % 17 === 0 ? 1 : 0)),
        [16, 16],
      );
      const logits = await e.read(lm.logits(eye)); // [16, V]: logits[j][v] = head[v][j]
      const expected = [...ids].flatMap((v) =>
        Array.from({ length: 16 }, (_, j) => logits[j * V + v]!),
      );
      rows.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
    }
  });

  it('estimates the full loss and gradient from small samples (log-Q correction), and its training lowers the full loss', async () => {
    const e = new Engine(new ReferenceBackend());
    const lm = await tinyLm(e);
    const { feats, adapter, captions } = setup(e);
    const full = await lossAndGrads(
      e,
      () => captionLoss(lm, adapter, { tokens: feats }, { captions }),
      adapter.params,
    );
    const rng = new Rng(3);
    const draws = 40;
    let lossMean = 0;
    const gradMean = new Float32Array(flat(full.grads).length);
    for (let i = 0; i < draws; i++) {
      const s = await lossAndGrads(
        e,
        () =>
          captionLoss(
            lm,
            adapter,
            { tokens: feats },
            { captions },
            { sampledSoftmax: { negatives: 12, rng } },
          ),
        adapter.params,
      );
      lossMean += s.loss / draws;
      flat(s.grads).forEach((g, j) => (gradMean[j]! += g / draws));
    }
    // 12 of 55 negatives per draw: the mean loss is near the full one, and the mean gradient points its way.
    expect(Math.abs(lossMean - full.loss) / full.loss).toBeLessThan(0.15);
    expect(cosine(gradMean, flat(full.grads))).toBeGreaterThan(0.9);

    const opt = new AdamW(e, adapter.params, { lr: 0.03, weightDecay: 0 });
    const train = new Rng(4);
    for (let step = 0; step < 40; step++) {
      const { value, grads } = e.valueAndGrads(
        () =>
          captionLoss(
            lm,
            adapter,
            { tokens: feats },
            { captions },
            { sampledSoftmax: { negatives: 8, rng: train } },
          ),
        adapter.params,
      );
      opt.update(grads);
      e.dispose([value, ...grads]);
    }
    const after = await e.readScalar(
      e.tidy(() => captionLoss(lm, adapter, { tokens: feats }, { captions })),
    );
    expect(after).toBeLessThan(full.loss * 0.6);
  });

  it('validates the training config section', () => {
    expect(CaptionSoftmaxSchema.parse({})).toEqual({ type: 'full', negatives: 1024 });
    expect(CaptionSoftmaxSchema.parse({ type: 'sampled', negatives: 8 })).toEqual({
      type: 'sampled',
      negatives: 8,
    });
    expect(CaptionSoftmaxSchema.safeParse({ type: 'sampeld' }).success).toBe(false);
    expect(CaptionSoftmaxSchema.safeParse({ negatives: 0 }).success).toBe(false);
    expect(CaptionSoftmaxSchema.safeParse({ k: 4 }).success).toBe(false);
  });
});
