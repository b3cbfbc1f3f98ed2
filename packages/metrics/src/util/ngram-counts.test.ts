import { describe, expect, it } from 'vitest';
import { MAX_N, NgramVocabulary } from './ngram-counts.js';

/** precook(s, 4) as pycocoevalcap writes it: n-gram tuple → count, in first-occurrence order per order. */
function precook(words: readonly number[]): Map<string, number>[] {
  return Array.from({ length: MAX_N }, (_, k) => {
    const m = new Map<string, number>();
    for (let i = 0; i + k < words.length; i++) {
      const key = words.slice(i, i + k + 1).join(' ');
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    return m;
  });
}

describe('NgramVocabulary.count', () => {
  it('gives precook counts in first-occurrence order, with and without repeats, short and long', () => {
    let seed = 12345;
    const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    const vocab = new NgramVocabulary();
    const names = new Map<number, string>(); // n-gram id per order → its words, learnt as we go
    const cases: number[][] = [[], [3], [1, 1, 1, 1, 1], [1, 2, 1, 2, 1, 2], [1, 2, 3, 4, 5]];
    for (let t = 0; t < 300; t++) {
      const len = t % 10 === 0 ? 60 + rand(40) : 1 + rand(14);
      cases.push(Array.from({ length: len }, () => rand(t % 3 === 0 ? 3 : 40)));
    }
    const results = cases.map((words) => vocab.count(Int32Array.from(words)));
    cases.forEach((words, c) => {
      const got = results[c]!; // read after every later call: pooled views must not be overwritten
      expect(got.length).toBe(words.length);
      const want = precook(words);
      for (let k = 0; k < MAX_N; k++) {
        const keys = [...want[k]!.keys()];
        const from = got.offsets[k]!;
        expect(got.offsets[k + 1]! - from, `case ${c} order ${k + 1}`).toBe(keys.length);
        keys.forEach((key, j) => {
          const id = got.ids[from + j]!;
          const tag = `${k}:${id}`;
          if (!names.has(id + k * 1e9)) names.set(id + k * 1e9, key);
          expect(names.get(id + k * 1e9), `${tag} in case ${c}`).toBe(key);
          expect(got.tf[from + j]).toBe(want[k]!.get(key));
        });
      }
    });
  });
});
