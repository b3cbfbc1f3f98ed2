import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { ReferenceBackend } from '../reference/index.js';
import { Rng } from '../random/rng.js';
import { fitLinearMap } from './fit-linear-map.js';
import { applyLinearMap } from './linear-map.js';
import { LinearMapModule } from './linear-map-module.js';
import { gaussianSolve, naiveLeastSquares, naiveNormalEquations, relativeError } from './naive-least-squares.js';
import { naiveProcrustes, polarFactor } from './naive-procrustes.js';
import { NormalEquationsAccumulator } from './normal-equations.js';
import { chunksOf, randomOrthogonal, randomPairs } from './testing-pairs.js';

/** Appends a column of ones (for the naive reference of an intercept fit). */
function withOnes(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * (d + 1));
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) out[r * (d + 1) + i] = x[r * d + i]!;
    out[r * (d + 1) + d] = 1;
  }
  return out;
}

describe('fitLinearMap: least squares', () => {
  it('OLS and ridge equal the naive float64 normal equations (Gaussian elimination)', async () => {
    const p = randomPairs(1, 400, 12, 7, { offset: 3 });
    for (const [method, alpha] of [['ols', 0], ['ridge', 2.5]] as const) {
      const { map, report } = await fitLinearMap(chunksOf(p, 37), p, { method, alpha });
      expect(report.rows).toBe(400);
      expect(report.jitter).toBe(0);
      const want = naiveLeastSquares(p.x, p.y, p.n, p.dIn, p.dOut, alpha);
      expect(relativeError(map.weight, want)).toBeLessThan(1e-11);
      expect(map.method).toBe(method);
      expect(map.bias).toBeUndefined();
    }
  });

  it('the SVD solver agrees with Cholesky', async () => {
    const p = randomPairs(2, 300, 10, 4);
    const a = await fitLinearMap(chunksOf(p, 64), p, { method: 'ridge', alpha: 0.5 });
    const b = await fitLinearMap(chunksOf(p, 64), p, { method: 'ridge', alpha: 0.5, solver: 'svd' });
    expect(relativeError(b.map.weight, a.map.weight)).toBeLessThan(1e-11);
  });

  it('an intercept equals the naive fit with a column of ones', async () => {
    const p = randomPairs(3, 300, 8, 5, { offset: 2 });
    const yShift = Float32Array.from(p.y, (v, i) => v + (i % 5) - 1);
    const q = { ...p, y: yShift };
    const { map } = await fitLinearMap(chunksOf(q, 50), q, { method: 'ols', intercept: true });
    const want = naiveLeastSquares(withOnes(p.x, p.n, p.dIn), q.y, p.n, p.dIn + 1, p.dOut);
    expect(relativeError(map.weight, want.subarray(0, p.dIn * p.dOut))).toBeLessThan(1e-10);
    expect(relativeError(map.bias!, want.subarray(p.dIn * p.dOut))).toBeLessThan(1e-10);
  });

  it('z-scoring: stored means/stds match the data, apply() takes raw x, predictions equal the unstandardised OLS+intercept', async () => {
    const p = randomPairs(4, 500, 6, 3, { offset: 5 });
    const z = await fitLinearMap(chunksOf(p, 77), p, { method: 'ols', standardize: true, intercept: true });
    const plain = await fitLinearMap(chunksOf(p, 77), p, { method: 'ols', intercept: true });
    for (let i = 0; i < p.dIn; i++) {
      let m = 0, v = 0;
      for (let r = 0; r < p.n; r++) m += p.x[r * p.dIn + i]!;
      m /= p.n;
      for (let r = 0; r < p.n; r++) v += (p.x[r * p.dIn + i]! - m) ** 2;
      expect(z.map.meanX![i]).toBeCloseTo(m, 10);
      expect(z.map.stdX![i]).toBeCloseTo(Math.sqrt(v / p.n), 10);
    }
    // z-scoring is an invertible affine change of x: with an intercept, the predictions are the same.
    expect(relativeError(applyLinearMap(z.map, p.x, p.n), applyLinearMap(plain.map, p.x, p.n))).toBeLessThan(1e-10);
  });

  it('chunked accumulation equals one-shot, and the wasm and JS kernels agree', async () => {
    const p = randomPairs(5, 333, 9, 9, { offset: 1 });
    const one = await fitLinearMap(chunksOf(p, 333), p, { method: 'ols' });
    const many = await fitLinearMap(chunksOf(p, 7), p, { method: 'ols' });
    const js = await fitLinearMap(chunksOf(p, 100), p, { method: 'ols', wasm: false });
    expect(one.report.usesWasm).toBe(true);
    expect(js.report.usesWasm).toBe(false);
    expect(relativeError(many.map.weight, one.map.weight)).toBeLessThan(1e-12);
    expect(relativeError(js.map.weight, one.map.weight)).toBeLessThan(1e-12);
  });

  it('rank-deficient X: Cholesky reports jitter and still fits', async () => {
    const p = randomPairs(6, 200, 5, 2, { noise: 0 });
    const x = p.x.slice();
    for (let r = 0; r < p.n; r++) x[r * 5 + 4] = x[r * 5 + 0]! - x[r * 5 + 2]!; // dependent column
    const y = Float32Array.from(applyLinearMap({ kind: 't', method: 'ols', dIn: 5, dOut: 2, weight: p.weight }, x, p.n));
    const q = { ...p, x, y };
    const { map, report } = await fitLinearMap(chunksOf(q, 64), q, { method: 'ols' });
    expect(report.jitter).toBeGreaterThan(0);
    expect(relativeError(applyLinearMap(map, x, p.n), y)).toBeLessThan(1e-4);
  });

  // Issue 7 acceptance at 100,000 rows. The full 100,000 × 512 check is in `pnpm bench --only fit`
  // (bench/fit-bench.ts): its naive float64 reference alone takes minutes in plain loops.
  it('acceptance: 100,000 × 32 pairs, chunked: OLS, ridge and Procrustes agree with naive float64 references to 1e-6 relative', async () => {
    const d = 32;
    const p = randomPairs(7, 100000, d, d, { noise: 0.5, weight: randomOrthogonal(17, d) });
    const source = chunksOf(p, 8192);
    const { a, b } = naiveNormalEquations(p.x, p.y, p.n, d, d);
    const ridgeA = a.slice();
    for (let i = 0; i < d; i++) ridgeA[i * d + i]! += 1;
    const want = { ols: gaussianSolve(a.slice(), b.slice(), d, d), ridge: gaussianSolve(ridgeA, b.slice(), d, d), procrustes: polarFactor(b, d) };
    for (const method of ['ols', 'ridge', 'procrustes'] as const) {
      const { map, report } = await fitLinearMap(source, p, { method, alpha: 1 });
      expect(report.rows).toBe(100000);
      expect(relativeError(map.weight, want[method]), method).toBeLessThan(1e-6);
    }
  });

  it('bad input: clear errors naming the field', async () => {
    const p = randomPairs(8, 10, 3, 3);
    await expect(fitLinearMap(chunksOf(p, 5), p, { method: 'ridge', alpha: -1 })).rejects.toThrow(/fit options: alpha/);
    const acc = new NormalEquationsAccumulator({ dIn: 3, dOut: 3 });
    expect(() => acc.accumulate(p.x, p.y, 9)).toThrow(/x has 30 values, expected 9 × 3/);
    const bad = p.x.slice();
    bad[4] = NaN;
    expect(() => acc.accumulate(bad, p.y, 10)).toThrow(/row 1: x\[1\] is NaN/);
    expect(() => new NormalEquationsAccumulator({ dIn: 3, dOut: 3 }).finish()).toThrow(/no rows/);
  });
});

describe('fitLinearMap: Procrustes', () => {
  const d = 16;
  const q = randomOrthogonal(11, d);

  it('the naive reference (Newton polar iteration) agrees with the Jacobi-SVD solution on noisy data', async () => {
    const p = randomPairs(19, 500, d, d, { noise: 0.3, weight: q });
    const { map } = await fitLinearMap(chunksOf(p, 64), p, { method: 'procrustes' });
    const want = naiveProcrustes(p.x, p.y, p.n, d);
    expect(relativeError(map.weight, want)).toBeLessThan(1e-10);
    expect(relativeError(want, q)).toBeGreaterThan(1e-4); // noisy: not the generating matrix itself
  });

  it('recovers a random orthogonal matrix exactly from noiseless data (and its scale)', async () => {
    const p = randomPairs(12, 300, d, d, { noise: 0, weight: q.map((v) => 2 * v) });
    const plain = await fitLinearMap(chunksOf(p, 64), p, { method: 'procrustes' });
    expect(relativeError(plain.map.weight, q)).toBeLessThan(1e-6); // y is float32: rounding only
    const scaled = await fitLinearMap(chunksOf(p, 64), p, { method: 'procrustes', scale: true });
    expect(relativeError(scaled.map.weight, q.map((v) => 2 * v))).toBeLessThan(1e-6);
  });

  it('robust Procrustes recovers it despite 20% gross outliers, where plain Procrustes fails', async () => {
    const p = randomPairs(13, 1000, d, d, { noise: 0.01, weight: q });
    const rng = new Rng(14);
    for (let r = 0; r < p.n; r++) if (r % 5 === 0) for (let j = 0; j < d; j++) p.y[r * d + j] = 20 * rng.normal();
    const plain = await fitLinearMap(chunksOf(p, 128), p, { method: 'procrustes' });
    const robust = await fitLinearMap(chunksOf(p, 128), p, { method: 'robust-procrustes', iterations: 8 });
    expect(relativeError(plain.map.weight, q)).toBeGreaterThan(0.2);
    expect(relativeError(robust.map.weight, q)).toBeLessThan(1e-2);
    expect(robust.report.passes).toBe(9);
  });

  it('unequal sizes: a semi-orthogonal W (tall and wide) recovered from noiseless data', async () => {
    for (const [dIn, dOut] of [[12, 7], [7, 12]] as const) {
      const D = Math.max(dIn, dOut);
      // W: the first dOut columns (tall) or the first dIn rows (wide) of a random orthogonal matrix.
      const big = randomOrthogonal(21, D);
      const w = Float64Array.from({ length: dIn * dOut }, (_, k) => big[Math.floor(k / dOut) * D + (k % dOut)]!);
      // X: rows of 10 random orthogonal matrices, so XᵀX = 10·I; U·Vᵀ of XᵀY is then the least-squares W.
      const n = 10 * dIn;
      const x = new Float32Array(n * dIn);
      for (let b = 0; b < 10; b++) x.set(Float32Array.from(randomOrthogonal(30 + b, dIn)), b * dIn * dIn);
      const y = Float32Array.from(applyLinearMap({ kind: 't', method: 'ols', dIn, dOut, weight: w }, x, n));
      const p = { x, y, n, dIn, dOut };
      const { map, report } = await fitLinearMap(chunksOf(p, 16), p, { method: 'procrustes' });
      expect([map.dIn, map.dOut]).toEqual([dIn, dOut]);
      expect(report.singularValues!.length).toBe(Math.min(dIn, dOut));
      expect(relativeError(map.weight, w)).toBeLessThan(1e-6);
      const r = Math.min(dIn, dOut); // orthonormal columns (tall) or rows (wide)
      for (let a = 0; a < r; a++) {
        for (let b = 0; b < r; b++) {
          let dot = 0;
          if (dIn >= dOut) for (let i = 0; i < dIn; i++) dot += map.weight[i * dOut + a]! * map.weight[i * dOut + b]!;
          else for (let j = 0; j < dOut; j++) dot += map.weight[a * dOut + j]! * map.weight[b * dOut + j]!;
          expect(dot).toBeCloseTo(a === b ? 1 : 0, 9);
        }
      }
    }
  });

  it('with z-scoring and an intercept, predictions map raw x', async () => {
    const p = randomPairs(15, 400, d, d, { noise: 0.01, weight: q, offset: 3 });
    const { map } = await fitLinearMap(chunksOf(p, 100), p, { method: 'procrustes', standardize: true, intercept: true, scale: true });
    expect(map.meanX && map.stdX && map.bias).toBeTruthy();
    expect(relativeError(applyLinearMap(map, p.x, p.n), p.y)).toBeLessThan(0.05);
  });
});

describe('LinearMapModule', () => {
  it('applies the folded map on a backend like the host', async () => {
    const p = randomPairs(16, 50, 6, 4, { offset: 2 });
    const { map } = await fitLinearMap(chunksOf(p, 20), p, { method: 'ridge', alpha: 0.1, standardize: true, intercept: true });
    const e = new Engine(new ReferenceBackend());
    const mod = new LinearMapModule(e, map);
    const out = await e.read(mod.apply(e.tensor(p.x, [p.n, p.dIn])));
    expect(relativeError(out, applyLinearMap(map, p.x, p.n))).toBeLessThan(1e-6);
    mod.dispose();
  });
});
