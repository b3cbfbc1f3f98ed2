import { describe, expect, it } from 'vitest';
import { npMean } from './numpy-mean.js';

describe('npMean', () => {
  // Expected values printed by numpy 2.4 for a[i] = 1/(i+1) + sin(i)·1e-3; they differ in the last
  // bits from a left-to-right sum, which is what pairwise summation changes.
  const arr = (n: number): number[] =>
    Array.from({ length: n }, (_, i) => 1.0 / (i + 1) + Math.sin(i) * 1e-3);
  const cases: [number, number][] = [
    [9, 0.31450126055167993],
    [17, 0.2024235474590258],
    [100, 0.05187756712267068],
    [129, 0.042192317534395354],
    [300, 0.020946997419584834],
    [1000, 0.007485457950643887],
  ];
  for (const [n, want] of cases) {
    it(`matches numpy.mean bit for bit, n=${n}`, () => {
      expect(npMean(arr(n))).toBe(want);
    });
  }
  it('differs from a naive sum where numpy does', () => {
    const a = arr(9);
    expect(a.reduce((x, y) => x + y, 0) / 9).not.toBe(npMean(a));
  });
});
