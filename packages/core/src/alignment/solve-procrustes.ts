/**
 * Orthogonal Procrustes from accumulated cross products: W = U·Vᵀ where X'ᵀY = U·Σ·Vᵀ
 * (Schönemann 1966; scipy.linalg.orthogonal_procrustes), optionally scaled by
 * s = tr Σ / tr(X'ᵀX'), the least-squares optimal scale (Gower & Dijksterhuis 2004, ch. 4).
 * When d_in ≠ d_out, W [d_in, d_out] = U·Vᵀ from the thin SVD is semi-orthogonal (orthonormal
 * columns when d_in > d_out, rows otherwise): it maximises tr(Wᵀ·X'ᵀY) under that constraint,
 * which is the least-squares solution when X'ᵀX' ∝ I (z-scored, near-white inputs; exact for any
 * X' when d_in < d_out). SITTA maps a CLIP space into a wider or narrower LM embedding space
 * this way (RN50x64 → LLaMA, 1024 → 4096). The SVD is float64 one-sided Jacobi (jacobi-svd.ts).
 */
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
  readonly weight: Float64Array; // [dIn, dOut]
  readonly bias: Float64Array | null;
  readonly scale: number;
  readonly singularValues: Float64Array;
  readonly sweeps: number;
}

/** The (scaled) rotation for the design `design` (z-scoring and intercept) of `ne`. */
export function solveProcrustes(ne: NormalEquations, design: DesignOptions, options: ProcrustesOptions = {}): ProcrustesFit {
  const { dIn, dOut } = ne;
  const dm = designMoments(ne, design);
  const tall = dIn >= dOut;
  // M = X'ᵀY [dIn, dOut] = U·Σ·Vᵀ → W = U·Vᵀ; for a wide M, take the SVD of Mᵀ = V·Σ·Uᵀ.
  const svd = jacobiSvd(tall ? dm.xy : transpose(dm.xy, dIn, dOut), tall ? dIn : dOut, tall ? dOut : dIn, { wasm: options.wasm });
  const r = Math.min(dIn, dOut);
  const left = tall ? svd.u : svd.v; // [dIn, r]
  const right = tall ? svd.v : svd.u; // [dOut, r]
  const weight = new Float64Array(dIn * dOut);
  for (let i = 0; i < dIn; i++) {
    for (let k = 0; k < r; k++) {
      const lik = left[i * r + k]!;
      if (lik === 0) continue;
      for (let j = 0; j < dOut; j++) weight[i * dOut + j]! += lik * right[j * r + k]!;
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

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

/** Wraps a Procrustes solution as a LinearMap. */
export function procrustesMap(
  fit: ProcrustesFit,
  design: DesignOptions,
  info: { kind: string; method: 'procrustes' | 'robust-procrustes'; dIn: number; dOut: number },
): LinearMap {
  return {
    kind: info.kind,
    method: info.method,
    dIn: info.dIn,
    dOut: info.dOut,
    weight: fit.weight,
    ...(design.center && design.scale ? { meanX: design.center, stdX: design.scale } : {}),
    ...(fit.bias ? { bias: fit.bias } : {}),
  };
}
