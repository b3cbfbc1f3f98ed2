import { describe, expect, it } from 'vitest';
import { NgramVocabulary } from '../util/ngram-counts.js';
import { ciderDScores } from './cider-d.js';

describe('CIDEr-D (pycocoevalcap cider_scorer.py)', () => {
  const v = new NgramVocabulary();
  const c = (s: string) => v.count(v.wordIds(s === '' ? [] : s.split(' ')));

  it('is 0 for a single-image corpus (every idf is log 1 − log 1)', () => {
    const r = ciderDScores([c('a dog runs')], [[c('a dog runs'), c('a dog')]], v.sizes());
    expect(r.perImage[0]).toBe(0);
    expect(r.corpus).toBe(0);
  });

  it('matches a hand computation on two images', () => {
    // Image 0: hyp "x y", ref "x y"; image 1: hyp "z", ref "z w". N = 2, ref_len = log 2.
    // Every ref n-gram has df 1 → idf = log 2 for all. Image 0: identical vectors per order for
    // 1- and 2-grams → cosine 1 each; no 3/4-grams → 0. Bigram counts equal → no penalty.
    // score = (1 + 1 + 0 + 0) / 4 / 1 · 10 = 5.
    // Image 1: 1-grams hyp {z: l}, ref {z: l, w: l}: min(l,l)·l / (l · l√2) = 1/√2; no hyp bigrams.
    // Bigram counts 0 vs 1 → penalty e^(−1/72). score = (1/√2)·e^(−1/72) / 4 · 10.
    const r = ciderDScores([c('x y'), c('z')], [[c('x y')], [c('z w')]], v.sizes());
    expect(r.perImage[0]).toBeCloseTo(5, 12);
    const want1 = (((1 / Math.SQRT2) * Math.E ** (-1 / 72)) / 4) * 10;
    expect(r.perImage[1]).toBeCloseTo(want1, 12);
    expect(r.corpus).toBeCloseTo((5 + want1) / 2, 12);
  });
});
