import { describe, expect, it } from 'vitest';
import { toyLm } from '../../pipelines/testing/toy-caption-world.js';
import { Rng } from '../../random/rng.js';
import type { Tokenizer } from '../../tokenizers/tokenizer.js';
import type { ClipTextEmbedder } from '../recap/clip-text-embedder.js';
import { cosineRows } from '../recap/clip-text-embedder.js';
import { SittaCaptioner, type SittaModel } from './sitta-captioner.js';
import { SittaConfigSchema } from './sitta-config.js';
import { applyWhitening } from './testing-whitening.js';
import { columnStats, fitSittaPairs, fitSittaTokens, lmEmbeddingStats, lmSpaceEmbeddings, lmTokenEmbeddings, promptedTokenEmbeddings, zScore } from './sitta-fit.js';
import { dedupeTokens, tokenPermutations, wordBiasRows, wordPromptIds } from './sitta-prompts.js';
import { captionTokens, captionWordSet, contentWords, wordTokens } from './sitta-vocabulary.js';

const V = 64;
const P = 16;
/** 50 words "qaa", "qab", …; ids 0–49 are " word", 50–54 capitalised variants of words 0–4, then non-words. */
const WORDS = Array.from({ length: 50 }, (_, i) => `q${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`);
const PIECES = [...WORDS.map((w) => ` ${w}`), ...WORDS.slice(0, 5).map((w) => w[0]!.toUpperCase() + w.slice(1)), ' a', '.', ',', '12', 'x1', '\n', '!', '-', ''];
const wordTokenizer: Tokenizer = {
  kind: 'gpt2',
  vocabSize: V,
  bosId: V - 1,
  eosId: V - 1,
  padId: V - 1,
  encode: (text) => text.split(/(?=\s)/).filter((s) => s.trim()).map((s) => PIECES.indexOf(s.startsWith(' ') ? s : ` ${s}`)).filter((i) => i >= 0),
  decode: (ids) => ids.map((i) => PIECES[i] ?? '').join(''),
  tokens: (ids) => ids.map((i) => PIECES[i] ?? ''),
  tokenToId: (t) => (PIECES.includes(t) ? PIECES.indexOf(t) : undefined),
  encodeForModel: (text) => wordTokenizer.encode(text),
};

describe('SITTA vocabulary and prompts', () => {
  it('keeps tokens that decode to alphabetic words, optionally only given words', () => {
    const all = wordTokens(wordTokenizer, V);
    expect(all.ids.length).toBe(56); // 50 words, 5 variants, " a"
    expect(all.words[0]).toBe('qaa');
    expect(all.words[50]).toBe('Qaa');
    expect([...all.ids].some((id) => [56, 57, 58, 59, 60].includes(id))).toBe(false);
    const only = wordTokens(wordTokenizer, V, { only: new Set(['qaa', 'qab']) });
    expect([...only.ids]).toEqual([0, 1, 50, 51]);
    expect(wordTokens(wordTokenizer, V, { maxTokens: 3 }).ids.length).toBe(3);
    expect(contentWords('A red circle to the left of a Blue square.')).toEqual(['red', 'circle', 'blue', 'square']);
    expect([...captionWordSet(['a red circle', 'Two red squares'])]).toEqual(['a', 'red', 'circle', 'two', 'squares']);
  });

  it('caption-words: the leading-space tokens of the captions\' content words only (no stop words, no case variants)', () => {
    const t = captionTokens(wordTokenizer, ['a qaa to the left of a qab', 'Qac and qaa, on a qzz'], V);
    expect(t.words).toEqual(['qaa', 'qab', 'qac']); // " a" is a stop word; "qzz" is no token
    expect([...t.ids]).toEqual([0, 1, 2]); // " qaa" (0), not the variant "Qaa" (50)
    expect(captionTokens(wordTokenizer, ['a the of'], V).ids.length).toBe(0);
  });

  it('de-duplicates case and leading-space variants, keeping rank order', () => {
    // 50 = "Qaa" (variant of 0 = " qaa"), 51 = "Qab" (variant of 1)
    expect(dedupeTokens([50, 0, 2, 51, 1, 3, 4], wordTokenizer, 3)).toEqual([50, 2, 51]);
    expect(dedupeTokens([0, 50, 0], wordTokenizer, 5)).toEqual([0]);
  });

  it('permutations: the ranked order first, then seeded permutations of the same tokens', () => {
    const perms = tokenPermutations([5, 6, 7, 8], 6, new Rng(101));
    expect(perms[0]).toEqual([5, 6, 7, 8]);
    for (const p of perms) expect([...p].sort()).toEqual([5, 6, 7, 8]);
    expect(new Set(perms.map((p) => p.join())).size).toBeGreaterThan(2);
    expect(tokenPermutations([5, 6, 7, 8], 6, new Rng(101))).toEqual(perms);
    expect(wordPromptIds([5, 6], [9, 10], 63)).toEqual([63, 5, 6, 9, 10]);
    expect(wordPromptIds([5, 6], [9], null)).toEqual([5, 6, 9]);
  });

  it('word bias: β at each image\'s word tokens in every row of its permutations, zero elsewhere', () => {
    const bias = wordBiasRows([[1, 3], [0]], 2, 4, 2.5); // 2 images × 2 permutations, V = 4
    expect(Array.from(bias)).toEqual([0, 2.5, 0, 2.5, 0, 2.5, 0, 2.5, 2.5, 0, 0, 0, 2.5, 0, 0, 0]);
  });
});

/** A toy CLIP text tower: the word in a template ↦ A · (LM embedding of its token) + a template offset. */
async function toyClip(lmEmb: Float32Array, E: number, seed = 4) {
  const rng = new Rng(seed);
  const A = rng.normalArray(P * E, 1 / Math.sqrt(E));
  const project = (z: ArrayLike<number>) => {
    const v = new Float32Array(P);
    for (let i = 0; i < P; i++) for (let j = 0; j < E; j++) v[i]! += A[i * E + j]! * z[j]!;
    return v;
  };
  const embed: ClipTextEmbedder = async (texts) => {
    const out = new Float32Array(texts.length * P);
    texts.forEach((t, r) => {
      const offset = t.startsWith('a photo') ? 0.3 : -0.2;
      const ids = wordTokenizer.encode(t.replace(/[.]/g, ' '));
      const v = new Float32Array(P).fill(offset);
      for (const id of ids) {
        const p = project(lmEmb.subarray(id * E, (id + 1) * E));
        for (let j = 0; j < P; j++) v[j]! += p[j]!;
      }
      out.set(v, r * P);
    });
    return out;
  };
  return { embed, project };
}

describe('SITTA fit and captioning', () => {
  it('LM embedding statistics over a vocabulary subset equal columnStats of those rows', async () => {
    const { lm } = await toyLm(11);
    const E = lm.config.embedSize;
    const ids = Int32Array.from([3, 7, 9, 20]);
    const rows = await lmTokenEmbeddings(lm, ids);
    const want = columnStats(rows, 4, E);
    const got = await lmEmbeddingStats(lm, ids);
    for (let j = 0; j < E; j++) {
      expect(got.mean[j]).toBeCloseTo(want.mean[j]!, 6);
      expect(got.std[j]).toBeCloseTo(want.std[j]!, 6);
    }
    const whole = await lmEmbeddingStats(lm);
    expect(whole.mean[0]).not.toBeCloseTo(got.mean[0]!, 6);
    await expect(lmEmbeddingStats(lm, [])).rejects.toThrow(/no LM tokens/);
  });

  it('LM space: z-scored rows, whitened on the engine when the statistics carry a whitening', async () => {
    const { lm } = await toyLm(11);
    const E = lm.config.embedSize;
    const ids = Int32Array.from({ length: 40 }, (_, i) => i);
    const z = zScore(await lmTokenEmbeddings(lm, ids), await lmEmbeddingStats(lm, ids));
    const plain = await lmSpaceEmbeddings(lm, ids, await lmEmbeddingStats(lm, ids));
    expect(Array.from(plain)).toEqual(Array.from(z));
    const stats = await lmEmbeddingStats(lm, ids, { whitenEpsilon: 0.01 });
    expect(stats.whiten!.length).toBe(E * E);
    const want = applyWhitening(z, stats.whiten!, E);
    const got = await lmSpaceEmbeddings(lm, ids, stats, 16); // several chunks
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
  });

  it('token correspondences: the fitted map sends each prompted token back to its own LM token', async () => {
    const { lm } = await toyLm(11);
    const E = lm.config.embedSize;
    const all = await lmTokenEmbeddings(lm, Int32Array.from({ length: V }, (_, i) => i));
    const stats = columnStats(all, V, E);
    const clip = await toyClip(all, E);
    const tokens = wordTokens(wordTokenizer, V, { maxTokens: 50 });
    const x = await promptedTokenEmbeddings(clip.embed, tokens, ['a photo of a {}.', 'a drawing of {}'], () => {});
    expect(x.length).toBe(50 * P);
    const { map } = await fitSittaTokens(x, lm, tokens, stats, { solver: 'ols' });
    expect(map.dIn).toBe(P);
    expect(map.dOut).toBe(E);
    const model: SittaModel = { source: 'tokens', map, lmStats: stats, tokenIds: tokens.ids };
    const cfg = SittaConfigSchema.parse({ k: 3, permutations: 2, maxNewTokens: 3, stopTexts: [], prompt: ' qaa' });
    const captioner = await SittaCaptioner.create({ decoder: lm, tokenizer: wordTokenizer, model, embedTexts: clip.embed, config: cfg });
    const nearest = await captioner.nearestTokens(x);
    const hits = nearest.filter((toks, i) => toks[0] === tokens.ids[i]).length;
    expect(hits).toBe(50);
    for (const toks of nearest) expect(new Set(toks.map((t) => wordTokenizer.decode([t]).trim().toLowerCase())).size).toBe(toks.length);
    captioner.dispose();
  });

  it('image–caption pairs: nearest tokens of a held-out image are its content words; captions are re-ranked by CLIP', async () => {
    const { lm } = await toyLm(11);
    const E = lm.config.embedSize;
    const all = await lmTokenEmbeddings(lm, Int32Array.from({ length: V }, (_, i) => i));
    const stats = columnStats(all, V, E);
    const z = zScore(all, stats);
    const clip = await toyClip(z, E);
    const rng = new Rng(21);
    const make = (n: number) => {
      const captions: string[][] = [];
      const images = new Float32Array(n * P);
      for (let i = 0; i < n; i++) {
        const a = rng.int(20);
        const b = 20 + rng.int(20);
        const ea = clip.project(z.subarray(a * E, (a + 1) * E));
        const eb = clip.project(z.subarray(b * E, (b + 1) * E));
        for (let j = 0; j < P; j++) images[i * P + j] = ea[j]! + eb[j]! + 0.05 * rng.normal();
        captions.push([`a ${WORDS[a]} and a ${WORDS[b]}`]);
      }
      return { captions, images };
    };
    const train = make(300);
    const fit = await fitSittaPairs(train.images, train.captions, lm, wordTokenizer, stats, { solver: 'ols' });
    expect(fit.rows).toBe(600);
    const test = make(20);
    const model: SittaModel = { source: 'pairs', map: fit.map, lmStats: stats, tokenIds: wordTokens(wordTokenizer, V).ids };
    const cfg = SittaConfigSchema.parse({ k: 3, permutations: 3, maxNewTokens: 3, stopTexts: [], prompt: ' qaa' });
    const captioner = await SittaCaptioner.create({ decoder: lm, tokenizer: wordTokenizer, model, embedTexts: clip.embed, config: cfg });
    const nearest = await captioner.nearestTokens(test.images);
    const right = nearest.filter((toks, i) => {
      const words = new Set(toks.map((t) => wordTokenizer.decode([t]).trim().toLowerCase()));
      return contentWords(test.captions[i]![0]!).every((w) => words.has(w));
    }).length;
    expect(right).toBeGreaterThanOrEqual(18);
    const details = await captioner.captionEmbeddings(['t0', 't1'], test.images.slice(0, 2 * P));
    for (const [i, d] of details.entries()) {
      expect(d.candidates).toContain(d.caption);
      const emb = await clip.embed(d.candidates);
      const cos = cosineRows(test.images.subarray(i * P, (i + 1) * P), emb, d.candidates.length);
      expect(d.score).toBeCloseTo(2.5 * Math.max(Math.max(...cos), 0), 5);
    }
    captioner.dispose();

    // Procrustes between sizes P ≠ E (a semi-orthogonal map; the toy CLIP's projection is not one, so
    // it fits less well than OLS) still finds both words for most images (chance: ~0.2%).
    const proc = await fitSittaPairs(train.images, train.captions, lm, wordTokenizer, stats, { solver: 'procrustes' });
    expect([proc.map.dIn, proc.map.dOut]).toEqual([P, E]);
    const procCaptioner = await SittaCaptioner.create({ decoder: lm, tokenizer: wordTokenizer, model: { ...model, map: proc.map }, embedTexts: clip.embed, config: cfg });
    const procNearest = await procCaptioner.nearestTokens(test.images);
    const procRight = procNearest.filter((toks, i) => {
      const words = new Set(toks.map((t) => wordTokenizer.decode([t]).trim().toLowerCase()));
      return contentWords(test.captions[i]![0]!).every((w) => words.has(w));
    }).length;
    expect(procRight).toBeGreaterThanOrEqual(10);
    procCaptioner.dispose();

    // Sampled decoding (SITTA's --decoding sampling): seeded, more distinct candidates than greedy, still re-ranked by CLIP.
    const sampledCfg = SittaConfigSchema.parse({ k: 3, permutations: 8, maxNewTokens: 4, stopTexts: [], prompt: ' qaa', decoding: 'sampling', temperature: 2 });
    const greedyCfg = { ...sampledCfg, decoding: 'greedy' as const };
    const run = async (config: typeof sampledCfg) => {
      const c = await SittaCaptioner.create({ decoder: lm, tokenizer: wordTokenizer, model, embedTexts: clip.embed, config });
      try {
        return await c.captionEmbeddings(['t0', 't1'], test.images.slice(0, 2 * P));
      } finally {
        c.dispose();
      }
    };
    const sampled = await run(sampledCfg);
    const greedy = await run(greedyCfg);
    expect(await run(sampledCfg)).toEqual(sampled);
    const distinct = (ds: typeof sampled) => ds.reduce((a, d) => a + d.candidates.length, 0);
    expect(distinct(sampled)).toBeGreaterThan(distinct(greedy));
    for (const [i, d] of sampled.entries()) {
      const cos = cosineRows(test.images.subarray(i * P, (i + 1) * P), await clip.embed(d.candidates), d.candidates.length);
      expect(d.caption).toBe(d.candidates[cos.indexOf(Math.max(...cos))]);
    }
  });
});
