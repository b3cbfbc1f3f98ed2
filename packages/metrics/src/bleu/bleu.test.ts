import { describe, expect, it } from 'vitest';
import { NgramVocabulary } from '../util/ngram-counts.js';
import { bleuScores } from './bleu.js';

describe('BLEU (pycocoevalcap bleu_scorer.py, closest ref length)', () => {
  const v = new NgramVocabulary();
  const c = (s: string) => v.count(v.wordIds(s === '' ? [] : s.split(' ')));

  it('matches a hand computation with clipping and brevity penalty', () => {
    // hyp "the the cat" vs refs "the cat sat" (3) and "a cat" (2); closest to 3 → 3.
    // 1-grams: the×2 clipped to 1, cat 1 → 2/3; 2-grams: "the the" 0, "the cat" 1 → 1/2;
    // no 3-gram matches; guess of 4-grams is 0.
    const hyp = c('the the cat');
    const refs = [c('the cat sat'), c('a cat')];
    const r = bleuScores([hyp], [refs], v.sizes());
    const tiny = 1e-15,
      small = 1e-9;
    const p1 = (2 + tiny) / (3 + small);
    const p2 = (1 + tiny) / (2 + small);
    const p3 = (0 + tiny) / (1 + small);
    const p4 = (0 + tiny) / (0 + small);
    const ratio = (3 + tiny) / (3 + small); // < 1 by a hair: the penalty applies
    const bp = Math.exp(1 - 1 / ratio);
    expect(r.perImage[0][0]).toBe(p1 * bp);
    expect(r.perImage[1][0]).toBe((p1 * p2) ** 0.5 * bp);
    expect(r.perImage[2][0]).toBe((p1 * p2 * p3) ** (1 / 3) * bp);
    expect(r.perImage[3][0]).toBe((p1 * p2 * p3 * p4) ** (1 / 4) * bp);
    expect(r.corpus[0]).toBe(r.perImage[0][0]);
  });

  it('breaks closest-length ties toward the shorter reference', () => {
    // testlen 3, refs of length 2 and 4: both at distance 1 → reflen 2, no penalty (ratio > 1)
    const r = bleuScores([c('a b c')], [[c('a b c d'), c('a b')]], v.sizes());
    expect(r.perImage[0][0]).toBe((3 + 1e-15) / (3 + 1e-9));
  });
});
