import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SafetensorsBuffer } from '../checkpoint/safetensors-buffer.js';
import { serializeSafetensors } from '../checkpoint/safetensors-serialize.js';
import { Engine } from '../engine/engine.js';
import { ClipModel } from '../models/clip/clip-model.js';
import { Gpt2Model } from '../models/gpt2/gpt2-model.js';
import { checkpointConfig, checkpointSource } from '../models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '../models/testing/tiny-gpt2.js';
import { openCheckpoint } from '../node/checkpoint-folder.js';
import { AdamW } from '../optim/adamw.js';
import { Rng } from '../random/rng.js';
import { ReferenceBackend } from '../reference/reference-backend.js';
import { captionScene, shapesVocabulary } from '../shapes/scene-captions.js';
import { generateScene } from '../shapes/generate-scene.js';
import { clipVocabFromBpeText } from '../tokenizers/bpe-files.js';
import { ClipTokenizer } from '../tokenizers/clip-tokenizer.js';
import { clipVocabSubset } from './clip-vocab-subset.js';
import { contrastiveLoss, contrastiveTargets } from './contrastive-loss.js';
import { sampleSoftmaxCandidates, TrainableGpt2 } from './gpt2-lm-loss.js';
import { initClipTensors, shapesClipConfig } from './shapes-clip-config.js';
import { initGpt2Tensors, shapesGpt2Config } from './shapes-gpt2-config.js';
import { loadTrainableClip } from './trainable-clip.js';
import { exportWeights, loadTrainable } from './trainable-weights.js';

const here = dirname(fileURLToPath(import.meta.url));
const bpePath = join(here, '../../fixtures/vocab/bpe_simple_vocab_16e6.txt.gz');

describe('clipVocabSubset', () => {
  it('tokenizes shapes captions into the same pieces as the full CLIP vocabulary', () => {
    const full = clipVocabFromBpeText(gunzipSync(readFileSync(bpePath)).toString('utf8'), bpePath);
    const big = new ClipTokenizer({ vocab: full.vocab, merges: full.merges });
    const subset = clipVocabSubset(full.merges, shapesVocabulary());
    const small = new ClipTokenizer({ vocab: Object.entries(subset.vocab), merges: subset.merges });
    expect(small.vocabSize).toBe(512 + subset.merges.length + 2);
    expect(small.vocabSize).toBeLessThan(800);
    const texts = Array.from({ length: 60 }, (_, i) => captionScene(generateScene(1, i))).flat();
    for (const t of texts) expect(small.tokens(small.encode(t))).toEqual(big.tokens(big.encode(t)));
    // Other words still tokenize (into smaller pieces), never fail.
    expect(small.decode(small.encode('a zebra'))).toBe('a zebra ');
  });
});

describe('contrastive loss', () => {
  it('spreads the target over every matching caption', () => {
    const t = contrastiveTargets([
      [true, true, false],
      [true, true, false],
      [false, false, true],
    ]);
    expect(Array.from(t.imageToText)).toEqual([0.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 1]);
    expect(Array.from(t.textToImage)).toEqual([0.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 1]);
    expect(() => contrastiveTargets([[false]])).toThrow(/text 0 must describe image 0/);
  });

  it('equals the two-way cross-entropy of scaled cosine logits', async () => {
    const e = new Engine(new ReferenceBackend());
    const img = [1, 0, 0, 1];
    const txt = [2, 0, 1, 1];
    const t = contrastiveTargets([
      [true, false],
      [false, true],
    ]);
    const loss = await e.readScalar(contrastiveLoss(e, e.tensor(img, [2, 2]), e.tensor(txt, [2, 2]), e.scalar(Math.log(10)), t));
    const c = Math.SQRT1_2; // cos of (0,1)·(1,1)/√2 and (1,0)·(1,1)/√2
    const logits = [
      [10, 10 * c],
      [0, 10 * c],
    ];
    const ce = (row: number[], k: number) => -(row[k]! - Math.log(row.reduce((a, b) => a + Math.exp(b), 0)));
    const i2t = (ce(logits[0]!, 0) + ce(logits[1]!, 1)) / 2;
    const t2i = (ce([logits[0]![0]!, logits[1]![0]!], 0) + ce([logits[0]![1]!, logits[1]![1]!], 1)) / 2;
    expect(loss).toBeCloseTo((i2t + t2i) / 2, 5);
  });

  it('puts hard-negative texts in the image→text softmax only', async () => {
    const e = new Engine(new ReferenceBackend());
    const img = [1, 0, 0, 1];
    const txt = [2, 0, 1, 1, 1, 0.5]; // two paired texts, then one hard negative
    const t = contrastiveTargets([
      [true, false, false],
      [false, true, false],
    ]);
    expect(Array.from(t.imageToText)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(Array.from(t.textToImage)).toEqual([1, 0, 0, 1]);
    const loss = await e.readScalar(contrastiveLoss(e, e.tensor(img, [2, 2]), e.tensor(txt, [3, 2]), e.scalar(Math.log(10)), t));
    const c = Math.SQRT1_2;
    const n = [10 / Math.sqrt(1.25), 5 / Math.sqrt(1.25)]; // cos to (1, 0.5)/|·|, scaled
    const logits = [
      [10, 10 * c, n[0]!],
      [0, 10 * c, n[1]!],
    ];
    const ce = (row: number[], k: number) => -(row[k]! - Math.log(row.reduce((a, b) => a + Math.exp(b), 0)));
    const i2t = (ce(logits[0]!, 0) + ce(logits[1]!, 1)) / 2;
    const t2i = (ce([logits[0]![0]!, logits[1]![0]!], 0) + ce([logits[0]![1]!, logits[1]![1]!], 1)) / 2;
    expect(loss).toBeCloseTo((i2t + t2i) / 2, 5);
    expect(() => contrastiveTargets([[true], [false, true]])).toThrow(/same number of texts/);
  });
});

describe('TrainableGpt2', () => {
  const files = tinyGpt2Checkpoint({ seed: 5, vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 16 });

  it('computes the same logits as the inference Gpt2Model on the same weights', async () => {
    const e = new Engine(new ReferenceBackend());
    const config = checkpointConfig(files);
    const frozen = await Gpt2Model.load(e, { config, weights: checkpointSource(files) });
    const model = new TrainableGpt2(e, config, await loadTrainable(e, checkpointSource(files)));
    const ids = e.tensor([39, 3, 7, 9, 39, 11, 12, 13], [2, 4], 'int32');
    const want = await e.read(frozen.logits(frozen.forward({ inputIds: ids, useCache: false }).hidden));
    const got = await e.read(model.logits(ids));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
  });

  it('has a sampled softmax that equals the full loss when every token is a candidate, and trains', async () => {
    const e = new Engine(new ReferenceBackend());
    const model = new TrainableGpt2(e, checkpointConfig(files), await loadTrainable(e, checkpointSource(files)));
    const caps = [[3, 4, 5], [6, 7]];
    const full = await e.readScalar(model.lmLoss(caps));
    const all = { candidates: Int32Array.from({ length: 40 }, (_, i) => 39 - i), logCorrection: new Float32Array(40) };
    expect(await e.readScalar(model.lmLoss(caps, all))).toBeCloseTo(full, 4);
    const s = sampleSoftmaxCandidates([3, 4, 39], 40, 10, new Rng(1));
    expect(Array.from(s.candidates.slice(0, 3))).toEqual([3, 4, 39]);
    expect(new Set(s.candidates).size).toBe(13);
    expect(s.logCorrection[5]).toBeCloseTo(Math.log(37 / 10), 6);
    expect(() => model.lmLoss(caps, s)).toThrow(/target token \d+ is not among the sampled-softmax candidates/);
    const opt = new AdamW(e, model.params, { lr: 0.01, weightDecay: 0 });
    for (let i = 0; i < 30; i++) {
      const { value, grads } = e.valueAndGrads(() => model.lmLoss(caps), model.params);
      opt.update(grads);
      e.dispose([value, ...grads]);
    }
    expect(await e.readScalar(model.lmLoss(caps))).toBeLessThan(full * 0.5);
  });

  it('initialises the shapes GPT-2 in the layout Gpt2Model loads', async () => {
    const e = new Engine(new ReferenceBackend());
    const config = shapesGpt2Config({ vocabSize: 60, nPositions: 8 });
    const source = new SafetensorsBuffer(serializeSafetensors(initGpt2Tensors(config, 1)));
    const lm = await Gpt2Model.load(e, { config, weights: source });
    expect(lm.config.vocabSize).toBe(60);
    expect(lm.config.eosTokenId).toBe(59);
  });
});

describe('trainable CLIP', () => {
  it('matches ClipModel on the tiny fixture, trains its contrastive loss and exports the file layout', async () => {
    const folder = join(here, '../models/testing/tiny-clip');
    const config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as unknown;
    const e = new Engine(new ReferenceBackend());
    const source = await openCheckpoint(folder);
    const frozen = await ClipModel.load(e, source, config);
    const clip = await loadTrainableClip(e, source, config);
    expect(clip.params.every((p) => p.trainable)).toBe(true);
    const pixels = e.tensor(new Rng(2).normalArray(2 * 3 * 32 * 32), [2, 3, 32, 32]);
    const want = await e.read(frozen.encodeImages(pixels).embeds);
    const got = await e.read(clip.vision.forward(pixels).embeds);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    const eos = clip.config.text.eosTokenId;
    const ids = [
      [eos - 1, 520, 521, eos],
      [eos - 1, 525, eos, 0],
    ];
    const targets = contrastiveTargets([
      [true, false],
      [false, true],
    ]);
    const lossOf = () => contrastiveLoss(e, clip.vision.forward(pixels).embeds, clip.text.encode(ids).embeds, clip.logitScale, targets);
    const before = await e.readScalar(lossOf());
    const opt = new AdamW(e, clip.params, { lr: 0.01, weightDecay: 0 });
    for (let i = 0; i < 5; i++) {
      const { value, grads } = e.valueAndGrads(lossOf, clip.params);
      opt.update(grads);
      e.dispose([value, ...grads]);
    }
    expect(await e.readScalar(lossOf())).toBeLessThan(before);
    const out = await exportWeights(e, clip.weights);
    expect(out['vision_model.embeddings.patch_embedding.weight']!.shape).toEqual([32, 3, 8, 8]);
    expect(out['logit_scale']!.shape).toEqual([]);
    await source.close();
  });

  it('initialises the shapes CLIP in the layout ClipModel loads', async () => {
    const e = new Engine(new ReferenceBackend());
    const config = shapesClipConfig({ vocabSize: 600, width: 16, visionLayers: 1, textLayers: 1, imageSize: 32, patchSize: 16 });
    const model = await ClipModel.load(e, new SafetensorsBuffer(serializeSafetensors(initClipTensors(config, 3))), config);
    expect(model.vision?.numPatches).toBe(4);
    expect(model.config.text.vocabSize).toBe(600);
  });
});
