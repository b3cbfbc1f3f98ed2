import { describe, expect, it } from 'vitest';
import { randomOrthogonal } from '../../alignment/testing-pairs.js';
import { Rng } from '../../random/rng.js';
import { whiteningMatrix } from './lm-whitening.js';
import { applyWhitening } from './testing-whitening.js';
import { columnStats, zScore } from './sitta-fit.js';

/** Covariance [E, E] of rows [n, E] (population, centred). */
function covariance(x: Float32Array, n: number, E: number): Float64Array {
  const mean = new Float64Array(E);
  for (let r = 0; r < n; r++) for (let j = 0; j < E; j++) mean[j]! += x[r * E + j]! / n;
  const c = new Float64Array(E * E);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) c[i * E + j]! += ((x[r * E + i]! - mean[i]!) * (x[r * E + j]! - mean[j]!)) / n;
  }
  return c;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Index of the row of `rows` [n, E] with the largest cosine to `q`. */
function nearest(q: ArrayLike<number>, rows: Float32Array, E: number): number {
  let best = -1;
  let bestCos = -Infinity;
  for (let r = 0; r < rows.length / E; r++) {
    const c = cosine(q, rows.subarray(r * E, (r + 1) * E));
    if (c > bestCos) [best, bestCos] = [r, c];
  }
  return best;
}

describe('LM-space whitening', () => {
  it('gives rows with identity covariance, through a symmetric matrix', () => {
    const E = 6;
    const n = 4000;
    const rng = new Rng(1);
    // Correlated rows: z = g·A with g standard normal, A a fixed mixing matrix.
    const A = rng.normalArray(E * E, 1);
    const x = new Float32Array(n * E);
    for (let r = 0; r < n; r++) {
      const g = rng.normalArray(E, 1);
      for (let j = 0; j < E; j++) for (let k = 0; k < E; k++) x[r * E + j]! += g[k]! * A[k * E + j]!;
    }
    const w = whiteningMatrix(x, n, E, 1e-9);
    for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) expect(w[i * E + j]).toBeCloseTo(w[j * E + i]!, 10);
    const c = covariance(applyWhitening(x, w, E), n, E);
    for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) expect(c[i * E + j]).toBeCloseTo(i === j ? 1 : 0, 4);
  });

  it('ranks by the directions that tell words apart, where z-scored cosine ranks by a shared one', () => {
    // Eight "kind words" in 12 dimensions: a shared direction with amplitudes 4..11 (much common
    // variance) plus a small direction of each word's own, rotated so that no axis lines up with
    // them, then z-scored as SITTA does. A query at word 2, moved 2 standard deviations along the
    // shared direction (a map's error where the vocabulary varies most), is nearest to word 7 by
    // z-scored cosine and to word 2 once whitened.
    const E = 12;
    const K = 8;
    const base = new Float64Array(K * E);
    for (let i = 0; i < K; i++) {
      base[i * E] = 4 + i;
      base[i * E + 1 + i] = 0.5;
    }
    const R = randomOrthogonal(2, E);
    const rows = new Float32Array(K * E);
    for (let i = 0; i < K; i++) for (let j = 0; j < E; j++) for (let k = 0; k < E; k++) rows[i * E + j]! += base[i * E + k]! * R[k * E + j]!;
    const z = zScore(rows, columnStats(rows, K, E));
    const row = (i: number) => z.subarray(i * E, (i + 1) * E);
    const d = row(K - 1).map((v, j) => v - row(0)[j]!);
    const dn = Math.hypot(...d);
    const proj = Array.from({ length: K }, (_, i) => row(i).reduce((s, v, j) => s + (v * d[j]!) / dn, 0));
    const mean = proj.reduce((s, v) => s + v, 0) / K;
    const sd = Math.sqrt(proj.reduce((s, v) => s + (v - mean) ** 2, 0) / K);
    const query = row(2).map((v, j) => v + (2 * sd * d[j]!) / dn);
    expect(nearest(query, z, E)).toBe(7);
    const w = whiteningMatrix(z, K, E, 1e-6);
    expect(nearest(applyWhitening(query, w, E), applyWhitening(z, w, E), E)).toBe(2);
  });

  it('floors the eigenvalues of a vocabulary smaller than the embedding size: finite, and a null-space component does not change a ranking', () => {
    const E = 10;
    const K = 4;
    const rng = new Rng(7);
    const raw = Float32Array.from(rng.normalArray(K * E, 1));
    const rows = zScore(raw, columnStats(raw, K, E)); // centred, as SITTA's vocabulary rows
    const w = whiteningMatrix(rows, K, E, 0.01);
    for (const v of w) expect(Number.isFinite(v)).toBe(true);
    const white = applyWhitening(rows, w, E);
    const q = Float32Array.from(rng.normalArray(E, 1));
    // Add a direction orthogonal to every vocabulary row (the covariance's null space).
    const basis: Float64Array[] = [];
    for (let r = 0; r < K; r++) {
      const b = Float64Array.from({ length: E }, (_, j) => rows[r * E + j]!);
      for (const c of basis) {
        const d = b.reduce((s, v, j) => s + v * c[j]!, 0);
        for (let j = 0; j < E; j++) b[j]! -= d * c[j]!;
      }
      const nrm = Math.hypot(...b);
      if (nrm > 1e-6) basis.push(b.map((v) => v / nrm));
    }
    const z = Float64Array.from(rng.normalArray(E, 1));
    for (const c of basis) {
      const d = z.reduce((s, v, j) => s + v * c[j]!, 0);
      for (let j = 0; j < E; j++) z[j]! -= d * c[j]!;
    }
    const shifted = q.map((v, j) => v + 5 * z[j]!);
    const scores = (query: Float32Array) => {
      const wq = applyWhitening(query, w, E);
      return Array.from({ length: K }, (_, r) => white.subarray(r * E, (r + 1) * E).reduce((s, v, j) => s + v * wq[j]!, 0));
    };
    // Dot products with every vocabulary row are unchanged, so the cosine ranking is too.
    const a = scores(q);
    const b = scores(shifted);
    for (let r = 0; r < K; r++) expect(b[r]).toBeCloseTo(a[r]!, 3);
  });

  it('rejects a bad epsilon, too few rows and a vocabulary of equal embeddings', () => {
    const rows = new Float32Array([1, 2, 3, 4]);
    expect(() => whiteningMatrix(rows, 2, 2, 0)).toThrow(/epsilon must be in \(0, 1\]/);
    expect(() => whiteningMatrix(rows, 2, 2, 2)).toThrow(/epsilon/);
    expect(() => whiteningMatrix(rows.subarray(0, 2), 1, 2, 0.01)).toThrow(/at least 2 vocabulary rows/);
    expect(() => whiteningMatrix(rows, 3, 2, 0.01)).toThrow(/4 values for 3 rows of 2/);
    expect(() => whiteningMatrix(new Float32Array([1, 2, 1, 2]), 2, 2, 0.01)).toThrow(/all equal/);
  });
});
