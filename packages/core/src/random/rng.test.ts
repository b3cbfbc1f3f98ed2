import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('resumes exactly from a saved state, including the cached normal', () => {
    const a = new Rng(7);
    a.normal(); // leaves a spare cached
    const state = JSON.parse(JSON.stringify(a.getState()));
    const expected = [a.normal(), a.next(), a.int(10)];
    const b = Rng.fromState(state);
    expect([b.normal(), b.next(), b.int(10)]).toEqual(expected);
  });

  it('draws uniform and normal values with the right moments', () => {
    const r = new Rng(1);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      sum += x;
      sq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.01);
    const u = r.uniformArray(n);
    const mean = u.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.min(...u.slice(0, 1000))).toBeGreaterThanOrEqual(0);
  });

  it('int(n) is unbiased over small ranges and rejects bad n', () => {
    const r = new Rng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => r.int(0)).toThrow(/n must be/);
  });

  it('shuffles into a permutation', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ys = new Rng(5).shuffle([...xs]);
    expect([...ys].sort((a, b) => a - b)).toEqual(xs);
    expect(ys).not.toEqual(xs);
  });
});
