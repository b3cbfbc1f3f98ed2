import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { sampleRow } from './sampling-search.js';

/** Empirical token frequencies of `n` draws. */
function frequencies(
  logp: Float32Array,
  banned: ReadonlySet<number>,
  options: { temperature: number; topK: number; topP: number },
  n: number,
): number[] {
  const rng = new Rng(3);
  const counts = new Array<number>(logp.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleRow(logp, banned, options, rng)]!++;
  return counts.map((c) => c / n);
}

/** log-softmax of `scores`. */
function logSoftmax(scores: number[]): Float32Array {
  const m = Math.max(...scores);
  const z = Math.log(scores.reduce((a, s) => a + Math.exp(s - m), 0)) + m;
  return Float32Array.from(scores, (s) => s - z);
}

describe('sampleRow', () => {
  const logp = logSoftmax([0.5, 2, -1, 1.2, 0.1, 1.9, -3, 0]);
  const n = 40_000;

  it('plain sampling follows the tempered distribution and never draws a banned token', () => {
    const banned = new Set([1]);
    const f = frequencies(logp, banned, { temperature: 2, topK: 0, topP: 1 }, n);
    const w = Array.from(logp, (l, t) => (banned.has(t) ? 0 : Math.exp(l / 2)));
    const z = w.reduce((a, b) => a + b, 0);
    expect(f[1]).toBe(0);
    w.forEach((x, t) => expect(Math.abs(f[t]! - x / z)).toBeLessThan(0.012));
  });

  it('top-k keeps exactly the k best unbanned tokens, renormalised', () => {
    const f = frequencies(logp, new Set([5]), { temperature: 1, topK: 3, topP: 1 }, n);
    // Without token 5 the best three are 1 (2), 3 (1.2) and 0 (0.5).
    const keep = [1, 3, 0];
    const z = keep.reduce((a, t) => a + Math.exp(logp[t]!), 0);
    f.forEach((x, t) =>
      keep.includes(t)
        ? expect(Math.abs(x - Math.exp(logp[t]!) / z)).toBeLessThan(0.012)
        : expect(x).toBe(0),
    );
  });

  it('top-k breaks ties by the lower token id', () => {
    const flat = new Float32Array(6).fill(Math.log(1 / 6));
    const f = frequencies(flat, new Set(), { temperature: 1, topK: 2, topP: 1 }, 2000);
    expect(f.map((x) => x > 0)).toEqual([true, true, false, false, false, false]);
  });

  it('top-p keeps the smallest prefix reaching p', () => {
    const probs = logSoftmax([3, 2, 1, 0]); // ≈ 0.64, 0.24, 0.09, 0.03
    const f = frequencies(probs, new Set(), { temperature: 1, topK: 0, topP: 0.8 }, n);
    expect(f[2]).toBe(0);
    expect(f[3]).toBe(0);
    const z = Math.exp(probs[0]!) + Math.exp(probs[1]!);
    expect(Math.abs(f[0]! - Math.exp(probs[0]!) / z)).toBeLessThan(0.012);
  });

  it('refuses a row where every token is banned', () => {
    for (const topK of [0, 2])
      expect(() =>
        sampleRow(
          logSoftmax([0, 1]),
          new Set([0, 1]),
          { temperature: 1, topK, topP: 1 },
          new Rng(1),
        ),
      ).toThrow(/every token is banned/);
  });
});
