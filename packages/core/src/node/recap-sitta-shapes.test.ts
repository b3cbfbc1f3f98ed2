// ReCap and SITTA end to end on the shapes world with the shipped tiny CLIP + GPT-2 (skipped
// until packages/core/assets/shapes/ holds them). Runs on tfjs (wasm), imported by path as the
// other tfjs tests in core do. Checks what must hold for a working alignment on simple scenes:
// for held-out single-object images, ReCap's retrieved captions and SITTA's word prompt name
// the object's colour and its kind.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfjsBackendProvider } from '../../../backend-tfjs/src/index.js';
import type { CaptuneConfig } from '../config/captune-config.js';
import { validateConfig } from '../config/load-config.js';
import { recordsOf, type CaptionRecord } from '../data/caption-dataset.js';
import { Engine } from '../engine/engine.js';
import { readImageEmbeddings } from '../methods/fitted-captioner.js';
import { RecapCaptioner } from '../methods/recap/recap-captioner.js';
import { SittaCaptioner, type SittaCaptionDetail } from '../methods/sitta/sitta-captioner.js';
import { SHAPE_COLORS, SHAPE_KINDS } from '../shapes/shape-scene.js';
import { fitRecapFromConfig } from './recap-fit-run.js';
import { openClipTextEmbedder, openFittedMethod } from './recap-sitta-fitted.js';
import { openRunData } from './run-data.js';
import { shapesClipDir, shapesGpt2Dir } from './shapes-assets.js';
import { writeShapesDataset } from './shapes-dataset.js';
import { fitSittaFromConfig } from './sitta-fit-run.js';

const present = existsSync(join(shapesClipDir(), 'config.json')) && existsSync(join(shapesGpt2Dir(), 'config.json'));
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

interface Single {
  readonly r: CaptionRecord;
  readonly colour: string;
  readonly kind: string;
}

/** The colour and kind of a single-object scene from its first reference ("a red circle", "two small blue stars"). */
function single(r: CaptionRecord): Single | null {
  const c = r.captions[0]!;
  const words = c.split(' ');
  const colours = words.filter((w) => (SHAPE_COLORS as readonly string[]).includes(w));
  const kinds = words.map(kindOf).filter((k): k is string => k !== null);
  if (colours.length !== 1 || new Set(kinds).size !== 1 || / and | of | above | below | next /.test(c)) return null;
  return { r, colour: colours[0]!, kind: kinds[0]! };
}

/** "star" or "stars" → "star"; other words → null. */
function kindOf(word: string): string | null {
  const w = word.toLowerCase();
  return SHAPE_KINDS.find((k) => w === k || w === `${k}s`) ?? null;
}

/** Share of images whose first colour (kind) word in `words` is the scene's. */
function firstRight(test: readonly Single[], words: readonly (readonly string[])[], what: 'colour' | 'kind'): number {
  const right = test.filter((x, i) => {
    const ws = words[i]!.map((w) => w.toLowerCase());
    const first = what === 'colour' ? ws.find((w) => (SHAPE_COLORS as readonly string[]).includes(w)) : ws.map(kindOf).find((k) => k !== null);
    return first === (what === 'colour' ? x.colour : x.kind);
  });
  return right.length / test.length;
}

/** Majority kind of the 5 training images nearest by cosine: how well the CLIP image embeddings separate kinds at all. */
function knnKindAccuracy(train: readonly Single[], trainEmb: Float32Array, test: readonly Single[], testEmb: Float32Array, P: number): number {
  const unit = (x: Float32Array, i: number) => {
    const v = x.subarray(i * P, (i + 1) * P);
    const n = Math.hypot(...v) || 1;
    return Array.from(v, (a) => a / n);
  };
  const tr = train.map((_, i) => unit(trainEmb, i));
  let right = 0;
  test.forEach((x, q) => {
    const u = unit(testEmb, q);
    const sims = tr.map((t, i) => ({ i, s: t.reduce((a, v, j) => a + v * u[j]!, 0) })).sort((a, b) => b.s - a.s);
    const votes = new Map<string, number>();
    for (const { i } of sims.slice(0, 5)) votes.set(train[i]!.kind, (votes.get(train[i]!.kind) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    if (best === x.kind) right++;
  });
  return right / test.length;
}

describe.skipIf(!present)('ReCap and SITTA on the shapes world', () => {
  let engine: Engine;
  let dir: string;
  let config: CaptuneConfig;
  let test: Single[];
  let emb: Float32Array;
  let kindCeiling = -1;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'captune-shapes-fit-'));
    dirs.push(dir);
    await writeShapesDataset(join(dir, 'data'), { count: 1000, seed: 5, val: 0.1, test: 0.25 });
    engine = new Engine(await tfjsBackendProvider.create('wasm'));
    config = validateConfig(
      {
        models: { clip: shapesClipDir(), lm: shapesGpt2Dir() },
        data: { dataset: join(dir, 'data', 'captions.jsonl') },
        recap: { k: 3, decoding: { candidates: 2, maxNewTokens: 12 } },
        sitta: { source: 'pairs', solver: 'procrustes', vocabulary: 'caption-words', k: 4, permutations: 2, maxNewTokens: 12 },
      },
      'test',
    );
    const data = await openRunData({ engine, config, splits: ['train', 'test'], what: 'embeds' });
    try {
      test = recordsOf(data.dataset, 'test').map(single).filter((x): x is Single => x !== null);
      emb = await readImageEmbeddings(data.features, test.map((x) => x.r.id));
      const train = recordsOf(data.dataset, 'train').map(single).filter((x): x is Single => x !== null);
      const trainEmb = await readImageEmbeddings(data.features, train.map((x) => x.r.id));
      kindCeiling = knnKindAccuracy(train, trainEmb, test, emb, data.features.embedDim!);
    } finally {
      await data.close();
    }
  }, 600_000);

  it('has enough held-out single-object images, whose CLIP image embeddings tell kinds apart', () => {
    expect(test.length).toBeGreaterThanOrEqual(100);
    // 5-NN over the single-object training images: 59% with the shipped patch-8 CLIP (chance 20%).
    expect(kindCeiling).toBeGreaterThanOrEqual(0.45);
  });

  it('ReCap retrieves captions with the right colour and kind for held-out single-object images', { timeout: 600_000 }, async () => {
    await fitRecapFromConfig({ engine, config, out: join(dir, 'recap') });
    const recap = await openFittedMethod(engine, join(dir, 'recap'));
    try {
      const r = recap.captioner as RecapCaptioner;
      const retrieved = await r.retrieve(await r.align(emb), 1);
      const colourRight = test.filter((x, i) => retrieved[i]![0]!.split(' ').includes(x.colour)).length;
      expect(colourRight / test.length).toBeGreaterThanOrEqual(0.7);
      // "circle" or "circles": a retrieved caption may describe a scene with several objects.
      // Measured (seed 5, 125 images, the patch-8 CLIP): colour 100%, kind 71% (chance 20%).
      const kindRight = test.filter((x, i) => new RegExp(`\\b${x.kind}s?\\b`).test(retrieved[i]![0]!)).length;
      expect(kindRight / test.length).toBeGreaterThanOrEqual(0.4);
    } finally {
      recap.dispose();
    }
  });

  async function sittaDetails(name: string, sitta: Record<string, unknown>): Promise<SittaCaptionDetail[]> {
    const cfg = validateConfig({ ...config, sitta: { ...config.sitta, ...sitta } }, 'test');
    await fitSittaFromConfig({ engine, config: cfg, out: join(dir, name) });
    const fitted = await openFittedMethod(engine, join(dir, name));
    try {
      return await (fitted.captioner as SittaCaptioner).captionEmbeddings(test.map((x) => x.r.id), emb);
    } finally {
      fitted.dispose();
    }
  }

  // Pairs, semi-orthogonal Procrustes 64 → 48, vocabulary = the caption tokens, LM side z-scored
  // with that vocabulary's statistics and whitened (lmSpace "whiten", as the demo). Measured (seed 5,
  // 125 images): first colour right 100%. With the LM-vocabulary statistics, stop-word tokens in the
  // vocabulary and OLS, it was 6%.
  let pairs: SittaCaptionDetail[] = [];
  it('SITTA (image–caption pairs) names the right colour for held-out single-object images', { timeout: 600_000 }, async () => {
    pairs = await sittaDetails('sitta', { lmSpace: 'whiten' });
    expect(pairs.map((d) => d.id)).toEqual(test.map((x) => x.r.id));
    expect(firstRight(test, pairs.map((d) => d.words), 'colour')).toBeGreaterThanOrEqual(0.6);
  });

  // The shapes GPT-2's kind words share most of their embeddings (z-scored cosine 0.87–0.94), so
  // with SITTA's reference z-scoring the map's kind component is lost in the ranking; whitening the
  // LM space over the vocabulary (methods/sitta/lm-whitening.ts) brings it out. Measured (seed 5,
  // 125 images): first kind word right 46% whitened, 22% z-scored (chance 20%); the CLIP image
  // embeddings' own 5-NN kind accuracy over the single-object training images is 59%.
  it('SITTA names the right kind with the LM space whitened, and more often than with z-scoring only', { timeout: 600_000 }, async () => {
    expect(pairs.length).toBe(test.length);
    const whitened = firstRight(test, pairs.map((d) => d.words), 'kind');
    const zscored = firstRight(test, (await sittaDetails('sitta-zscore', { lmSpace: 'zscore' })).map((d) => d.words), 'kind');
    expect(whitened).toBeGreaterThanOrEqual(0.4);
    expect(whitened).toBeGreaterThan(zscored);
  });

  // The captions themselves: the shapes GPT-2 never saw a word list before a caption and continues
  // "[words] a" with an unrelated one, so the word prompt is also applied as a logit bias
  // (wordBias, as the demo), and CLIP re-ranks. Measured (seed 5, 125 images): caption names the
  // object's colour 99%, its kind 46%, both 45%; without the bias 14% / 22% / 4%.
  it('SITTA\'s captions name the right colour and kind of held-out single-object images (word bias)', { timeout: 600_000 }, async () => {
    const names = (details: readonly SittaCaptionDetail[], what: 'colour' | 'kind' | 'both') =>
      test.filter((x, i) => {
        const words = details[i]!.caption.toLowerCase().split(/\W+/);
        const colour = words.includes(x.colour);
        const kind = words.some((w) => kindOf(w) === x.kind);
        return what === 'colour' ? colour : what === 'kind' ? kind : colour && kind;
      }).length / test.length;
    const biased = await sittaDetails('sitta-bias', { lmSpace: 'whiten', wordBias: 3 });
    const plain = pairs;
    expect(names(biased, 'colour')).toBeGreaterThanOrEqual(0.8);
    expect(names(biased, 'kind')).toBeGreaterThanOrEqual(0.4);
    expect(names(biased, 'both')).toBeGreaterThan(names(plain, 'both'));
  });

  it('scores a candidate longer than CLIP\'s context as its cut prefix instead of failing (clip.tokenize truncate=True)', async () => {
    const { clip, embed } = await openClipTextEmbedder(engine, shapesClipDir());
    try {
      const long = `${'. '.repeat(40)}a red circle`; // a runaway sampled caption: > 32 tokens
      const cut = clip.tokenize!(['a red circle'])[0]!.length; // the context length
      const [a, b] = [await embed([long]), await embed([' .'.repeat(cut - 2).trim()])];
      expect(Array.from(a)).toEqual(Array.from(b));
    } finally {
      clip.dispose();
    }
  });

  it('SITTA from token correspondences (--source tokens): fits from prompted CLIP text embeddings and captions', { timeout: 600_000 }, async () => {
    const details = await sittaDetails('sitta-tokens', { source: 'tokens' });
    const fitted = await openFittedMethod(engine, join(dir, 'sitta-tokens'));
    try {
      const model = (fitted.captioner as SittaCaptioner).model;
      expect(model.source).toBe('tokens');
      expect([model.map.dIn, model.map.dOut]).toEqual([64, 48]);
      const vocab = new Set(Array.from(model.tokenIds));
      for (const d of details) {
        expect(d.tokens.length).toBe(4);
        for (const t of d.tokens) expect(vocab.has(t)).toBe(true);
        expect(d.candidates).toContain(d.caption);
      }
    } finally {
      fitted.dispose();
    }
  });
});
