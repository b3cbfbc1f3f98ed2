import { describe, expect, it } from 'vitest';
import { recordsOf } from '../data/caption-dataset.js';
import { DecodeOptionsSchema } from '../decoding/decoder-search.js';
import { GreedySearch } from '../decoding/greedy-search.js';
import { BeamSearch } from '../decoding/beam-search.js';
import { LrScheduleSchema } from '../optim/lr-schedule.js';
import { ITuningAdapter } from '../adapters/ituning-adapter.js';
import { adapterMethod } from './adapter-methods.js';
import { CaptionGenerator } from './caption-generator.js';
import { CaptionTrainer } from './caption-trainer.js';
import { validateCaptioner } from './caption-validation.js';
import { epochOrder } from './epoch-order.js';
import { loadFeatureBatch } from './feature-batch.js';
import { MemoryFeatureSource } from './memory-feature-source.js';
import { tokenAttention } from './token-attention.js';
import { buildTrainingExamples } from './training-examples.js';
import { TOY_N, toyLm, toyTokenizer, toyWorld } from './testing/toy-caption-world.js';

async function setup(
  method: 'ituning' | 'clipcap',
  opts: { batchSize?: number; gradAccumulation?: number; lr?: number; epochs?: number } = {},
) {
  const { engine, lm } = await toyLm();
  const world = toyWorld({ train: 12, val: 4, test: 4 });
  const m = adapterMethod(method);
  const cfg =
    method === 'ituning' ? { bottleneck: 8, heads: 2, initStd: 0.3 } : { prefixLength: 4 };
  const adapter = m.create(engine, lm.config, world.features, cfg, 5);
  const examples = buildTrainingExamples(recordsOf(world.dataset, 'train'), toyTokenizer, 10);
  const trainer = new CaptionTrainer({
    decoder: lm,
    adapter,
    features: world.features,
    needs: m.needs,
    examples,
    epochs: opts.epochs ?? 20,
    batchSize: opts.batchSize ?? 8,
    gradAccumulation: opts.gradAccumulation ?? 1,
    optimizer: { lr: opts.lr ?? 0.02, weightDecay: 0 },
    schedule: LrScheduleSchema.parse({}),
    gradClip: 1,
    seed: 0,
  });
  return { engine, lm, world, adapter, trainer, m };
}

describe('epoch order', () => {
  it('is a seeded permutation that differs by epoch and seed', () => {
    const a = epochOrder(20, 7, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(epochOrder(20, 7, 0)).toEqual(a);
    expect(epochOrder(20, 7, 1)).not.toEqual(a);
    expect(epochOrder(20, 8, 0)).not.toEqual(a);
  });
});

describe('CaptionTrainer', () => {
  for (const method of ['ituning', 'clipcap'] as const) {
    it(`${method}: the loss falls and the LM stays frozen`, async () => {
      const { engine, lm, trainer } = await setup(method);
      const frozen = Array.from((await engine.read(lm.weights[0]!)) as Float32Array);
      const losses: number[] = [];
      for (let i = 0; i < 10 * trainer.stepsPerEpoch; i++)
        losses.push((await trainer.trainStep()).loss);
      expect(trainer.stepsPerEpoch).toBe(3); // 24 examples / 8
      expect(trainer.totalSteps).toBe(60);
      const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
      const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
      expect(last).toBeLessThan(first * 0.75);
      expect(Array.from((await engine.read(lm.weights[0]!)) as Float32Array)).toEqual(frozen);
    });
  }

  it('gradient accumulation gives the same update as one big batch', async () => {
    const one = await setup('ituning', { batchSize: 8, gradAccumulation: 1 });
    const two = await setup('ituning', { batchSize: 8, gradAccumulation: 4 });
    for (let i = 0; i < 2; i++) {
      const a = await one.trainer.trainStep();
      const b = await two.trainer.trainStep();
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 4);
    }
    for (let p = 0; p < one.adapter.params.length; p++) {
      const x = (await one.engine.read(one.adapter.params[p]!)) as Float32Array;
      const y = (await two.engine.read(two.adapter.params[p]!)) as Float32Array;
      x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-5));
    }
  });

  it('step s always takes the same examples (the resume contract)', async () => {
    const { trainer } = await setup('clipcap');
    const fresh = (await setup('clipcap')).trainer;
    expect(trainer.examplesOf(4)).toEqual(fresh.examplesOf(4));
    expect(trainer.examplesOf(0)).not.toEqual(trainer.examplesOf(3));
    const epoch0 = [0, 1, 2]
      .flatMap((s) => trainer.examplesOf(s))
      .map((x) => x.imageId)
      .sort();
    expect(epoch0).toHaveLength(24);
  });
});

describe('captioning a trained adapter', () => {
  it('greedy and beam captions follow the images; validation scores them; attention covers the tokens', async () => {
    const { engine, lm, world, adapter, trainer, m } = await setup('ituning', { lr: 0.03 });
    for (let i = 0; i < 45; i++) await trainer.trainStep();
    const ids = recordsOf(world.dataset, 'train').map((r) => r.id);
    const refs = new Map(world.dataset.records.map((r) => [r.id, r.captions[0]]));
    for (const search of [new GreedySearch(), new BeamSearch()]) {
      const gen = new CaptionGenerator({
        decoder: lm,
        adapter,
        tokenizer: toyTokenizer,
        search,
        options: DecodeOptionsSchema.parse({ maxNewTokens: 5, numBeams: 3 }),
        batchSize: 5,
      });
      const caps = await gen.captionIds(world.features, m.needs, ids);
      expect(caps.map((c) => c.id)).toEqual(ids);
      const right = caps.filter((c) => c.caption === refs.get(c.id)).length;
      expect(right).toBeGreaterThanOrEqual(10);
    }
    const seen: [Record<string, string[]>, Record<string, string>][] = [];
    const v = await validateCaptioner({
      decoder: lm,
      adapter,
      tokenizer: toyTokenizer,
      features: world.features,
      needs: m.needs,
      records: recordsOf(world.dataset, 'val'),
      batchSize: 3,
      maxCaptionTokens: 10,
      maxNewTokens: 5,
      score: (r, c) => {
        seen.push([r, c]);
        return {
          CIDEr: Object.keys(c).filter((k) => c[k] === r[k]![0]).length / Object.keys(c).length,
        };
      },
    });
    expect(seen[0]![0]).toEqual(
      Object.fromEntries(recordsOf(world.dataset, 'val').map((r) => [r.id, r.captions])),
    );
    expect(v.images).toBe(4);
    expect(v.valLoss).toBeGreaterThan(0);
    expect(v.valCider).toBeGreaterThanOrEqual(0.5);
    // Attention maps: one distribution over the N vision tokens per generated token.
    const feats = await loadFeatureBatch(engine, world.features, [ids[0]!], 'tokens');
    const maps = await tokenAttention(
      lm,
      adapter as ITuningAdapter,
      feats.tokens!,
      toyTokenizer.encode(refs.get(ids[0]!)!),
    );
    expect(maps).toHaveLength(3);
    for (const w of maps) {
      expect(w).toHaveLength(TOY_N);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('the no-adapter baseline decodes the frozen LM alone', async () => {
    const { lm } = await toyLm();
    const gen = new CaptionGenerator({
      decoder: lm,
      adapter: null,
      tokenizer: toyTokenizer,
      search: new GreedySearch(),
      options: DecodeOptionsSchema.parse({ maxNewTokens: 4 }),
    });
    const caps = await gen.captionIds(new MemoryFeatureSource({ features: {} }), 'tokens', [
      'x',
      'y',
    ]);
    expect(caps).toHaveLength(2);
    expect(caps[0]!.caption).toBe(caps[1]!.caption);
  });
});

describe('feature sources', () => {
  it('name a missing image and a feature kind the source lacks', async () => {
    const { engine } = await toyLm();
    const w = toyWorld({ train: 1, val: 0 });
    await expect(w.features.read(['nope'])).rejects.toThrow('no features for image "nope"');
    const noEmbeds = new MemoryFeatureSource({
      tokenShape: [1, 2],
      features: { a: { tokens: new Float32Array(2) } },
    });
    await expect(loadFeatureBatch(engine, noEmbeds, ['a'], 'embeds')).rejects.toThrow(
      'no CLIP image embeddings',
    );
    expect(
      () =>
        new MemoryFeatureSource({
          tokenShape: [1, 2],
          features: { a: { tokens: new Float32Array(3) } },
        }),
    ).toThrow('features of a: expected 2 token values, got 3');
  });
});
