/**
 * A toy captioning world for pipeline tests: images are (colour, shape) pairs whose features
 * are fixed random vectors per colour and per shape plus noise, captions are "a <colour>
 * <shape>", a word-level tokenizer maps the words to ids of a tiny random GPT-2, and the
 * features sit in a MemoryFeatureSource. Seeded; nothing touches disk.
 */
import type { CaptionDataset, CaptionRecord } from '../../data/caption-dataset.js';
import { Engine } from '../../engine/engine.js';
import { Gpt2Model } from '../../models/gpt2/gpt2-model.js';
import { checkpointConfig, checkpointSource } from '../../models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '../../models/testing/tiny-gpt2.js';
import { Rng } from '../../random/rng.js';
import { ReferenceBackend } from '../../reference/index.js';
import type { Tokenizer } from '../../tokenizers/tokenizer.js';
import { MemoryFeatureSource } from '../memory-feature-source.js';

export const TOY_WORDS = ['a', 'red', 'blue', 'green', 'circle', 'square', 'triangle'] as const;
const COLOURS = ['red', 'blue', 'green'];
const SHAPES = ['circle', 'square', 'triangle'];
const V = 64;

/** Word-level tokenizer: word i → id i + 1; unknown words → 0. */
export const toyTokenizer: Tokenizer = {
  kind: 'gpt2',
  vocabSize: V,
  bosId: V - 1,
  eosId: V - 1,
  padId: V - 1,
  encode: (text) =>
    text
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => TOY_WORDS.indexOf(w as (typeof TOY_WORDS)[number]) + 1),
  decode: (ids) => ids.map((i) => TOY_WORDS[i - 1] ?? `<${i}>`).join(' '),
  tokens: (ids) => ids.map((i) => TOY_WORDS[i - 1] ?? `<${i}>`),
  tokenToId: (t) => {
    const i = TOY_WORDS.indexOf(t as (typeof TOY_WORDS)[number]);
    return i < 0 ? undefined : i + 1;
  },
  encodeForModel: (text) => [
    V - 1,
    ...text.split(' ').map((w) => TOY_WORDS.indexOf(w as (typeof TOY_WORDS)[number]) + 1),
  ],
};

export const TOY_N = 4;
export const TOY_CV = 8;
export const TOY_P = 6;

export interface ToyWorld {
  readonly dataset: CaptionDataset;
  readonly features: MemoryFeatureSource;
}

/** `count` images per split (train, val, test), features seeded by `seed`. */
export function toyWorld(count: { train: number; val: number; test?: number }, seed = 1): ToyWorld {
  const rng = new Rng(seed);
  const colourVec = COLOURS.map(() => rng.normalArray(TOY_N * TOY_CV));
  const shapeVec = SHAPES.map(() => rng.normalArray(TOY_N * TOY_CV));
  const colourEmb = COLOURS.map(() => rng.normalArray(TOY_P));
  const shapeEmb = SHAPES.map(() => rng.normalArray(TOY_P));
  const records: CaptionRecord[] = [];
  const features = new Map<string, { tokens: Float32Array; embeds: Float32Array }>();
  for (const split of ['train', 'val', 'test'] as const) {
    for (let i = 0; i < (count[split] ?? 0); i++) {
      const c = rng.int(3);
      const s = rng.int(3);
      const id = `${split}-${i}`;
      const tokens = new Float32Array(TOY_N * TOY_CV);
      for (let k = 0; k < tokens.length; k++)
        tokens[k] = colourVec[c]![k]! + shapeVec[s]![k]! + 0.1 * rng.normal();
      const embeds = new Float32Array(TOY_P);
      for (let k = 0; k < TOY_P; k++)
        embeds[k] = colourEmb[c]![k]! + shapeEmb[s]![k]! + 0.1 * rng.normal();
      features.set(id, { tokens, embeds });
      const caption = `a ${COLOURS[c]} ${SHAPES[s]}`;
      records.push({ id, image: `/toy/${id}.png`, captions: [caption, caption], split });
    }
  }
  return {
    dataset: { source: 'toy', imageRoot: '/toy', records },
    features: new MemoryFeatureSource({ tokenShape: [TOY_N, TOY_CV], embedDim: TOY_P, features }),
  };
}

/** A reference-backend engine and the tiny GPT-2 the toy tokenizer fits. */
export async function toyLm(seed = 3): Promise<{ engine: Engine; lm: Gpt2Model }> {
  const engine = new Engine(new ReferenceBackend());
  const files = tinyGpt2Checkpoint({
    seed,
    vocabSize: V,
    nEmbd: 16,
    nLayer: 2,
    nHead: 2,
    nPositions: 32,
  });
  return {
    engine,
    lm: await Gpt2Model.load(engine, {
      config: checkpointConfig(files),
      weights: checkpointSource(files),
    }),
  };
}
