import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { meteorScore } from './meteor-score.js';
import { stdioSegments } from './meteor-scorer.js';

// alpha 0.85, beta 0.2, gamma 0.6, delta 0.75; weights exact 1.0, stem 0.6, synonym 0.8, paraphrase 0.6.
const penalty = (chunks: number, matches: number): number => 0.6 * Math.pow(chunks / matches, 0.2);

describe('meteorScore (hand-checked against the METEOR 1.5 formulas)', () => {
  it('scores a perfect match 1 and a reordering 1 - 0.6·(2/3)^0.2', async () => {
    const r = await meteorScore(
      { same: ['the cat sat on the mat'], swap: ['sat the cat'] },
      { same: 'the cat sat on the mat', swap: 'the cat sat' },
    );
    expect(r.perImage.same).toBe(1);
    expect(r.perImage.swap).toBeCloseTo(1 - penalty(2, 3), 12);
    // Corpus: 9/9 words matched; the perfect segment's chunk is not summed → 2 chunks / 9 matches.
    expect(r.corpus).toBeCloseTo(1 - penalty(2, 9), 12);
    expect(r.label).toBe('METEOR (no paraphrase)');
  });

  it('weights stem (0.6) and synonym (0.8) matches', async () => {
    const r = await meteorScore(
      { stem: ['the dog runs'], syn: ['a car'] },
      { stem: 'the dogs run', syn: 'a automobile' },
    );
    expect(r.perImage.stem).toBeCloseTo((1 + 2 * 0.6) / 3, 12); // one chunk, all matched: score = Fmean = P = R
    expect(r.perImage.syn).toBeCloseTo((1 + 0.8) / 2, 12);
  });

  it('keeps the best reference', async () => {
    const r = await meteorScore({ x: ['a dog', 'the cat', 'the cat'] }, { x: 'the cat' });
    expect(r.perImage.x).toBe(1);
  });

  it('weights function words by 1 - delta when a list is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meteor-fw-'));
    writeFileSync(join(dir, 'english.words'), 'the\na\n');
    const r = await meteorScore({ x: ['a cat sat'] }, { x: 'the cat' }, { functionWords: join(dir, 'english.words') });
    // test: the(F) cat(C) → length 0.75 + 0.25 = 1; ref: a(F) cat sat → 0.25 + 1.5 = 1.75; "cat" matched.
    const p = 0.75 / 1.0;
    const rc = 0.75 / 1.75;
    const fmean = 1 / (0.15 / p + 0.85 / rc);
    expect(r.perImage.x).toBeCloseTo(fmean * (1 - 0.6), 12); // 1 chunk / 1 match → penalty 0.6
  });

  it('uses a paraphrase table when given and labels the score METEOR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meteor-pt-'));
    writeFileSync(join(dir, 'paraphrase-en.gz'), gzipSync('0.4\nglarp\nblorf\n')); // words WordNet lacks
    const refs = { x: ['zq glarp'] };
    const cands = { x: 'zq blorf' };
    const withTable = await meteorScore(refs, cands, { paraphraseTable: join(dir, 'paraphrase-en.gz') });
    expect(withTable.label).toBe('METEOR');
    expect(withTable.perImage.x).toBeCloseTo((1 + 0.6) / 2, 12); // exact + paraphrase, one chunk, all matched
    const without = await meteorScore(refs, cands);
    expect(without.perImage.x).toBeCloseTo(0.5 * (1 - 0.6), 12); // "zq" alone: 1 chunk per 1 match
  });

  it('rejects mismatched or empty inputs with the image named', async () => {
    await expect(meteorScore({ a: ['x'] }, { b: 'x' })).rejects.toThrow(/candidate image "b" has no references/);
    await expect(meteorScore({ a: [] }, { a: 'x' })).rejects.toThrow(/image "a": needs at least one reference/);
    await expect(meteorScore({ a: ['x'] }, { a: 'x' }, { functionWords: '/nope/english.words' })).rejects.toThrow(
      /function words \/nope\/english\.words: cannot read/,
    );
  });
});

describe('stdioSegments (pycocoevalcap _stat line as Meteor.java splits it)', () => {
  it('strips "|||" from the hypothesis, collapses double spaces, trims parts', () => {
    expect(stdioSegments(['a dog', 'the cat'], 'a  cat ||| here')).toEqual({ refs: ['a dog', 'the cat'], test: 'a cat here' });
  });
  it('splits a reference that contains "|||" into two, as the jar does', () => {
    expect(stdioSegments(['a ||| b'], 'c')).toEqual({ refs: ['a', 'b'], test: 'c' });
  });
});
