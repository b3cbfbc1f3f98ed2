/**
 * Orthogonal Procrustes from accumulated cross products: W = U·Vᵀ where X'ᵀY = U·Σ·Vᵀ
 * (Schönemann 1966; scipy.linalg.orthogonal_procrustes), optionally scaled by
 * s = tr Σ / tr(X'ᵀX'), the least-squares optimal scale (Gower & Dijksterhuis 2004, ch. 4).
 * d_in must equal d_out. The SVD is float64 one-sided Jacobi (jacobi-svd.ts).
 */
import { CaptuneError } from '../errors/captune-error.js';
import { designMoments, interceptOf, type DesignOptions } from './design-moments.js';
import { jacobiSvd } from './jacobi-svd.js';
import type { LinearMap } from './linear-map.js';
import type { NormalEquations } from './normal-equations.js';

export interface ProcrustesOptions {
  /** Multiply the rotation by the optimal scale. @default false */
  readonly scale?: boolean;
  readonly wasm?: boolean;
}

export interface ProcrustesFit {
  readonly weight: Float64Array; // [d, d]
  readonly bias: Float64Array | null;
  readonly scale: number;
  readonly singularValues: Float64Array;
  readonly sweeps: number;
}

/** The (scaled) rotation for the design `design` (z-scoring and intercept) of `ne`. */
export function solveProcrustes(ne: NormalEquations, design: DesignOptions, options: ProcrustesOptions = {}): ProcrustesFit {
  const { dIn, dOut } = ne;
  if (dIn !== dOut) throw new CaptuneError(`procrustes: needs equal input and output sizes, got ${dIn} → ${dOut} (use ols or ridge)`);
  const dm = designMoments(ne, design);
  const svd = jacobiSvd(dm.xy, dIn, dIn, { wasm: options.wasm });
  const d = dIn;
  const weight = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const uik = svd.u[i * d + k]!;
      if (uik === 0) continue;
      for (let j = 0; j < d; j++) weight[i * d + j]! += uik * svd.v[j * d + k]!;
    }
  }
  let s = 1;
  if (options.scale) {
    let tr = 0;
    for (const x of dm.xxDiag) tr += x;
    let sum = 0;
    for (const x of svd.s) sum += x;
    s = tr > 0 ? sum / tr : 1;
    for (let i = 0; i < weight.length; i++) weight[i]! *= s;
  }
  const bias = design.intercept ? interceptOf(ne, dm.meanXPrime, weight) : null;
  return { weight, bias, scale: s, singularValues: svd.s, sweeps: svd.sweeps };
}

/** Wraps a Procrustes solution as a LinearMap. */
export function procrustesMap(
  fit: ProcrustesFit,
  design: DesignOptions,
  info: { kind: string; method: 'procrustes' | 'robust-procrustes'; d: number },
): LinearMap {
  return {
    kind: info.kind,
    method: info.method,
    dIn: info.d,
    dOut: info.d,
    weight: fit.weight,
    ...(design.center && design.scale ? { meanX: design.center, stdX: design.scale } : {}),
    ...(fit.bias ? { bias: fit.bias } : {}),
  };
}
