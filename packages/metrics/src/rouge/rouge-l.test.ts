import { describe, expect, it } from 'vitest';
import { lcsLength, rougeLImage } from './rouge-l.js';

const ids = (s: string): Int32Array =>
  Int32Array.from(s.split(' '), (w) => w.charCodeAt(0) + 1000 * w.length);

describe('ROUGE-L (pycocoevalcap rouge.py)', () => {
  it('computes LCS lengths', () => {
    expect(lcsLength(ids('a b c d e'), ids('a c e'))).toBe(3);
    expect(lcsLength(ids('x y'), ids('a b c'))).toBe(0);
    expect(lcsLength(ids('a b a b'), ids('b a b a'))).toBe(3);
  });
  it('combines max precision and max recall with beta 1.2', () => {
    // cand "a b c" vs refs "a b c d" (P=1, R=3/4) and "a x" (P=1/3, R=1/2): Pmax=1, Rmax=3/4
    const p = 1,
      r = 0.75,
      b2 = 1.2 * 1.2;
    const want = ((1 + b2) * p * r) / (r + b2 * p);
    expect(rougeLImage(ids('a b c'), [ids('a b c d'), ids('a x')])).toBe(want);
  });
  it('is 0 without overlap', () => {
    expect(rougeLImage(ids('q'), [ids('a b')])).toBe(0);
  });
});
