import { describe, expect, it } from 'vitest';
import { randomOrthogonal } from '../../alignment/testing-pairs.js';
import { toyLm, toyTokenizer } from '../../pipelines/testing/toy-caption-world.js';
import { Rng } from '../../random/rng.js';
import { CaptionDatastore } from '../../retrieval/caption-datastore.js';
import { MemoryFeatureSource } from '../../pipelines/memory-feature-source.js';
import type { ClipTextEmbedder } from './clip-text-embedder.js';
import { alignmentMatrix, applyAlignment, fitRecapAlignment, type RecapPairs } from './recap-alignment.js';
import { RecapCaptioner } from './recap-captioner.js';
import { RecapConfigSchema, type RecapConfigInput } from './recap-config.js';
import { runRecapDal } from './recap-dal.js';
import { buildRecapPrompt } from './recap-prompt.js';
import { pickBestCandidate, refAClipScore } from './recap-rerank.js';

const P = 6;
const COLOURS = ['red', 'blue', 'green'];
const SHAPES = ['circle', 'square', 'triangle'];

/** A toy "CLIP text tower": a caption's embedding is its colour vector + its shape vector (+ a per-text wobble). */
function toyText(seed = 5): { vec: (caption: string) => Float32Array; embed: ClipTextEmbedder; calls: string[][] } {
  const rng = new Rng(seed);
  const words = new Map([...COLOURS, ...SHAPES].map((w) => [w, rng.normalArray(P)]));
  const vec = (caption: string) => {
    const v = new Float32Array(P).fill(0.01);
    for (const w of caption.split(/\s+/)) {
      const x = words.get(w);
      if (x) for (let j = 0; j < P; j++) v[j]! += x[j]!;
    }
    return v;
  };
  const calls: string[][] = [];
  const embed: ClipTextEmbedder = async (texts) => {
    calls.push([...texts]);
    const out = new Float32Array(texts.length * P);
    texts.forEach((t, i) => out.set(vec(t), i * P));
    return out;
  };
  return { vec, embed, calls };
}

/** Images whose embedding is the caption embedding rotated by Qᵀ (so W = Q recovers it) plus noise. */
function toyImages(n: number, q: Float64Array, text: ReturnType<typeof toyText>, seed = 9) {
  const rng = new Rng(seed);
  const ids: string[] = [];
  const captions: string[] = [];
  const images = new Float32Array(n * P);
  for (let i = 0; i < n; i++) {
    const c = `a ${COLOURS[i % 3]} ${SHAPES[Math.floor(i / 3) % 3]}`;
    const t = text.vec(c);
    for (let j = 0; j < P; j++) {
      let s = 0;
      for (let k = 0; k < P; k++) s += q[j * P + k]! * t[k]!; // v = Qᵀ t, so t = Q v
      images[i * P + j] = s + 0.01 * rng.normal();
    }
    ids.push(`img-${i}`);
    captions.push(c);
  }
  return { ids, captions, images };
}

async function fittedWorld(config: RecapConfigInput = {}) {
  const text = toyText();
  const q = randomOrthogonal(3, P);
  const train = toyImages(27, q, text);
  const capEmb = await text.embed(train.captions);
  const pairs: RecapPairs = { images: train.images, captions: capEmb, imageOf: Int32Array.from(train.ids.map((_, i) => i)), dim: P };
  const { map } = await fitRecapAlignment(pairs, { solver: 'procrustes' });
  const store = new CaptionDatastore(P, { clipModel: 'toy' });
  store.add(capEmb, train.captions);
  const { lm } = await toyLm();
  const cfg = RecapConfigSchema.parse({ k: 2, prompt: { template: 'a {captions} a', separator: ' ' }, decoding: { candidates: 3, maxNewTokens: 4, stopTexts: [] }, ...config });
  const captioner = new RecapCaptioner({ decoder: lm, tokenizer: toyTokenizer, alignment: alignmentMatrix(map), datastore: store, embedTexts: text.embed, config: cfg });
  return { text, q, train, pairs, map, store, captioner, lm, cfg };
}

describe('ReCap alignment', () => {
  it('recovers a known orthogonal map (procrustes) and a general linear map (ols)', async () => {
    const q = randomOrthogonal(7, P);
    const rng = new Rng(1);
    const n = 40;
    const images = rng.normalArray(n * P);
    // Two captions per image: y = Q v (column form), i.e. rows y = v Qᵀ.
    const captions = new Float32Array(2 * n * P);
    const imageOf = new Int32Array(2 * n);
    for (let m = 0; m < 2 * n; m++) {
      const i = m >> 1;
      imageOf[m] = i;
      for (let a = 0; a < P; a++) {
        let s = 0;
        for (let b = 0; b < P; b++) s += q[a * P + b]! * images[i * P + b]!;
        captions[m * P + a] = s;
      }
    }
    for (const solver of ['procrustes', 'ols'] as const) {
      const { map } = await fitRecapAlignment({ images, captions, imageOf, dim: P }, { solver, normalize: false });
      const w = alignmentMatrix(map);
      for (let k = 0; k < P * P; k++) expect(w[k]).toBeCloseTo(q[k]!, 4);
      const mapped = applyAlignment(w, images.subarray(0, P), P);
      for (let a = 0; a < P; a++) expect(mapped[a]).toBeCloseTo(captions[a]!, 4);
    }
  });

  it('rejects bad pairs clearly', async () => {
    await expect(fitRecapAlignment({ images: new Float32Array(P), captions: new Float32Array(P), imageOf: Int32Array.from([3]), dim: P }, { solver: 'ols' })).rejects.toThrow(/caption 0 points at image row 3/);
    await expect(fitRecapAlignment({ images: new Float32Array(P), captions: new Float32Array(0), imageOf: new Int32Array(0), dim: P }, { solver: 'ols' })).rejects.toThrow(/no \(image, caption\) pairs/);
  });
});

describe('ReCap prompt and re-ranking', () => {
  it('builds the prompt from the retrieved captions', () => {
    const prompt = { template: 'Similar images show {captions}. This image shows', separator: '. ' };
    expect(buildRecapPrompt(['a red circle.', '  two  blue squares ', ''], prompt)).toBe('Similar images show a red circle. two blue squares. This image shows');
    expect(() => RecapConfigSchema.parse({ prompt: { template: 'no slot' } })).toThrow(/\{captions\}/);
  });

  it('picks the candidate with the highest aCLIP-S; RefaCLIP-S is the harmonic mean', () => {
    const v = Float32Array.from([1, 0, 0]);
    const rows = Float32Array.from([0, 1, 0, 0.6, 0.8, 0, 2, 0.1, 0, -1, 0, 0]);
    expect(pickBestCandidate(v, rows, 4).index).toBe(2);
    expect(pickBestCandidate(v, rows, 4).score).toBeCloseTo(2.5 * (2 / Math.hypot(2, 0.1)), 6);
    const a = 2.5 * 0.6;
    expect(refAClipScore(v, rows.subarray(3, 6), Float32Array.from([0.6, 0.8, 0]), 1)).toBeCloseTo((2 * a * 1) / (a + 1), 6);
    expect(refAClipScore(v, rows.subarray(9, 12), Float32Array.from([0, 1, 0]), 1)).toBe(0);
  });
});

describe('RecapCaptioner', () => {
  it('retrieves the right captions through the fitted W and re-ranks them to the top', async () => {
    const w = await fittedWorld({ rerankRetrieved: true });
    const test = toyImages(9, w.q, w.text, 77);
    const aligned = await w.captioner.align(test.images);
    const retrieved = await w.captioner.retrieve(aligned, 3);
    retrieved.forEach((r, i) => expect(r).toEqual([test.captions[i], test.captions[i], test.captions[i]]));
    const prompt = w.captioner.promptIds(retrieved[0]!.slice(0, 2));
    expect(prompt.text).toBe(`a ${test.captions[0]} ${test.captions[0]} a`);
    expect(prompt.ids[0]).toBe(w.lm.config.bosTokenId);
    const source = new MemoryFeatureSource({ embedDim: P, features: Object.fromEntries(test.ids.map((id, i) => [id, { embeds: test.images.slice(i * P, (i + 1) * P) }])) });
    const caps = await w.captioner.captionIds(source, test.ids);
    expect(caps.map((c) => c.caption)).toEqual(test.captions);
    for (const c of caps) expect(c.score).toBeGreaterThan(2.4);
    const details = await w.captioner.captionEmbeddings(test.ids.slice(0, 2), test.images.slice(0, 2 * P));
    expect(details[0]!.candidates.length).toBeGreaterThanOrEqual(2); // decoded samples + the retrieved caption
    expect(details[0]!.candidates).toContain(test.captions[0]);
    w.captioner.dispose();
  });

  it('drops the farthest captions when the prompt would not fit the context', async () => {
    const w = await fittedWorld({ decoding: { maxNewTokens: 23, stopTexts: [] } }); // toy LM: 32 positions → 9 prompt tokens
    const p = w.captioner.promptIds(['a red circle', 'a blue square', 'a green triangle']);
    expect(p.text).toBe('a a red circle a blue square a');
    expect(p.ids.length).toBe(9); // BOS + 8 words
    w.captioner.dispose();
  });

  it('DAL adds the best synthetic captions to the datastore and refits W', async () => {
    const w = await fittedWorld({ rerankRetrieved: true });
    const before = w.store.size;
    const fits: number[] = [];
    const rounds: number[] = [];
    const result = await runRecapDal({
      captioner: w.captioner,
      datastore: w.store,
      pairs: w.pairs,
      trainIds: w.train.ids,
      dal: { rounds: 2, fraction: 0.2, maxImages: 10 },
      fit: async (pairs) => {
        fits.push(pairs.imageOf.length);
        return alignmentMatrix((await fitRecapAlignment(pairs, { solver: 'procrustes' })).map);
      },
      evaluate: async (round) => ({ CIDEr: round }),
      onRound: (r) => rounds.push(r.round),
    });
    expect(rounds).toEqual([1, 2]);
    expect(w.store.size).toBe(before + 2 * 2);
    expect(w.store.syntheticCount).toBe(4);
    expect(w.store.isSynthetic(before)).toBe(true);
    expect(fits).toEqual([27 + 2, 27 + 4]);
    expect(result.pairs.imageOf.length).toBe(31);
    expect(result.rounds[1]!.metrics).toEqual({ CIDEr: 2 });
    expect(result.rounds[0]!.keptRefaClipS).toBeGreaterThanOrEqual(result.rounds[0]!.meanRefaClipS);
    // The synthetic captions are the images' own (re-ranked) captions, so RefaCLIP-S is high.
    for (const ex of result.rounds[0]!.examples) expect(w.train.captions[Number(ex.id.slice(4))]).toBe(ex.caption);
    w.captioner.dispose();
  });
});
