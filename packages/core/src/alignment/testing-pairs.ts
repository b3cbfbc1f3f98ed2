/**
 * Synthetic (x, y) pairs for the solver tests and the fit benchmark: x ~ N(0, 1) (+ offset),
 * y = x·W + noise, chunked. Deterministic from the seed.
 */
import { Rng } from '../random/rng.js';
import type { RowChunk } from './fit-linear-map.js';

export interface Pairs {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly n: number;
  readonly dIn: number;
  readonly dOut: number;
}

export function randomPairs(seed: number, n: number, dIn: number, dOut: number, options: { noise?: number; offset?: number; weight?: Float64Array } = {}): Pairs & { weight: Float64Array } {
  const rng = new Rng(seed);
  const weight = options.weight ?? Float64Array.from(rng.normalArray(dIn * dOut, 1 / Math.sqrt(dIn)));
  const x = rng.normalArray(n * dIn, 1, options.offset ?? 0);
  const y = new Float32Array(n * dOut);
  const noise = options.noise ?? 0.1;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dOut; j++) {
      let s = 0;
      for (let i = 0; i < dIn; i++) s += x[r * dIn + i]! * weight[i * dOut + j]!;
      y[r * dOut + j] = s + noise * rng.normal();
    }
  }
  return { x, y, n, dIn, dOut, weight };
}

/** A random orthogonal matrix [d, d] (Gram–Schmidt of a Gaussian matrix). */
export function randomOrthogonal(seed: number, d: number): Float64Array {
  const rng = new Rng(seed);
  const q = Float64Array.from(rng.normalArray(d * d)); // rows orthonormalised
  for (let i = 0; i < d; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += q[i * d + j]! * q[k * d + j]!;
        for (let j = 0; j < d; j++) q[i * d + j]! -= dot * q[k * d + j]!;
      }
    }
    let nrm = 0;
    for (let j = 0; j < d; j++) nrm += q[i * d + j]! ** 2;
    nrm = Math.sqrt(nrm);
    for (let j = 0; j < d; j++) q[i * d + j]! /= nrm;
  }
  return q;
}

/** `pairs` as a re-iterable source of chunks of `chunkRows` rows. */
export function chunksOf(pairs: Pairs, chunkRows: number): () => Iterable<RowChunk> {
  return function* () {
    for (let s = 0; s < pairs.n; s += chunkRows) {
      const e = Math.min(pairs.n, s + chunkRows);
      yield { x: pairs.x.subarray(s * pairs.dIn, e * pairs.dIn), y: pairs.y.subarray(s * pairs.dOut, e * pairs.dOut), rows: e - s };
    }
  };
}
