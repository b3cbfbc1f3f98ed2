import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { Rng } from '../random/rng.js';
import { choleskyInPlace, choleskySolveInPlace, choleskyWithJitter } from './cholesky.js';
import { jacobiSvd } from './jacobi-svd.js';
import { gaussianSolve } from './naive-least-squares.js';

function gram(a: Float64Array, rows: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let k = 0; k < rows; k++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j]! += a[k * d + i]! * a[k * d + j]!;
  return g;
}

describe('cholesky', () => {
  it('solves an SPD system like Gaussian elimination', () => {
    const rng = new Rng(2);
    const d = 9;
    const a = gram(Float64Array.from(rng.normalArray(30 * d)), 30, d);
    const b = Float64Array.from(rng.normalArray(d * 3));
    const l = a.slice();
    expect(choleskyInPlace(l, d)).toBe(true);
    const x = b.slice();
    choleskySolveInPlace(l, d, x, 3);
    const want = gaussianSolve(a.slice(), b.slice(), d, 3);
    for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(want[i]!, 10);
  });

  it('fails on a singular matrix, then factors with reported jitter', () => {
    const rng = new Rng(3);
    const d = 6;
    const x = Float64Array.from(rng.normalArray(20 * d));
    for (let k = 0; k < 20; k++) x[k * d + 5] = x[k * d + 0]! + x[k * d + 1]!; // column 5 = col 0 + col 1
    const a = gram(x, 20, d);
    expect(choleskyInPlace(a.slice(), d)).toBe(false);
    const { jitter, factor } = choleskyWithJitter(a, d);
    let trace = 0;
    for (let i = 0; i < d; i++) trace += a[i * d + i]!;
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThan(1e-3 * trace / d);
    expect(factor.every(Number.isFinite)).toBe(true);
    expect(choleskyWithJitter(gram(Float64Array.from(rng.normalArray(20 * d)), 20, d), d).jitter).toBe(0);
  });

  it('refuses a zero or non-finite matrix with a clear error', () => {
    expect(() => choleskyWithJitter(new Float64Array(4), 2, { what: 'XᵀX' })).toThrow(/XᵀX: is zero or negative on the diagonal/);
    expect(() => choleskyWithJitter(Float64Array.from([NaN, 0, 0, 1]), 2)).toThrow(CaptuneError);
  });
});

describe('jacobiSvd', () => {
  for (const [m, n, wasm] of [[7, 7, true], [12, 5, true], [12, 5, false], [33, 33, false]] as const) {
    it(`${m}×${n} (${wasm ? 'wasm' : 'js'}): A = U·S·Vᵀ, orthonormal U and V, descending S`, () => {
      const a = Float64Array.from(new Rng(m * 100 + n).normalArray(m * n));
      const { u, s, v } = jacobiSvd(a, m, n, { wasm });
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let r = 0;
          for (let k = 0; k < n; k++) r += u[i * n + k]! * s[k]! * v[j * n + k]!;
          expect(r).toBeCloseTo(a[i * n + j]!, 12);
        }
      }
      for (let p = 0; p < n; p++) {
        for (let q = 0; q < n; q++) {
          let uu = 0, vv = 0;
          for (let i = 0; i < m; i++) uu += u[i * n + p]! * u[i * n + q]!;
          for (let i = 0; i < n; i++) vv += v[i * n + p]! * v[i * n + q]!;
          expect(uu).toBeCloseTo(p === q ? 1 : 0, 12);
          expect(vv).toBeCloseTo(p === q ? 1 : 0, 12);
        }
        if (p > 0) expect(s[p]).toBeLessThanOrEqual(s[p - 1]!);
      }
    });
  }

  it('rank-deficient: zero singular values and a completed orthonormal U', () => {
    const n = 5;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) { a[i * n + 0] = i + 1; a[i * n + 1] = 2 * (i + 1); } // rank 1
    const { u, s } = jacobiSvd(a, n, n);
    expect(s[0]).toBeCloseTo(Math.sqrt(5 * 55), 10);
    for (let k = 1; k < n; k++) expect(s[k]).toBeLessThan(1e-12);
    for (let p = 0; p < n; p++) {
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += u[i * n + p]! ** 2;
      expect(nrm).toBeCloseTo(1, 12);
    }
  });

  it('rank-deficient covariance (48 × 48, rank 23): U completed to a full orthonormal basis', () => {
    // A vocabulary of 24 centred rows in 48 dimensions, as SITTA's whitening meets it: more than
    // half of U must be completed, and the first unit vectors' remainders run out (they were left unfilled).
    const n = 48;
    const rows = 24;
    const rng = new Rng(3);
    const x = rng.normalArray(rows * n, 1);
    for (let j = 0; j < n; j++) {
      let mean = 0;
      for (let r = 0; r < rows; r++) mean += x[r * n + j]! / rows;
      for (let r = 0; r < rows; r++) x[r * n + j]! -= mean;
    }
    const cov = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let r = 0; r < rows; r++) cov[i * n + j]! += (x[r * n + i]! * x[r * n + j]!) / rows;
    const { u, s } = jacobiSvd(cov, n, n);
    expect(s[22]).toBeGreaterThan(1e-3);
    for (let k = 23; k < n; k++) expect(s[k]).toBeLessThan(1e-10);
    for (let p = 0; p < n; p++) {
      for (let q = p; q < n; q++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i * n + p]! * u[i * n + q]!;
        expect(d).toBeCloseTo(p === q ? 1 : 0, 10);
      }
    }
  });

  it('rejects non-finite input and wide matrices', () => {
    expect(() => jacobiSvd(Float64Array.from([1, NaN, 0, 1]), 2, 2)).toThrow(/entry 1 is NaN/);
    expect(() => jacobiSvd(new Float64Array(6), 2, 3)).toThrow(/rows ≥ columns/);
  });
});
