/**
 * Least squares and ridge from accumulated normal equations: solve (X'ᵀX' + αI)·W = X'ᵀY
 * by Cholesky (with the jitter fallback of cholesky.ts) or, when asked, by the SVD of the
 * symmetric matrix (Jacobi; a pseudo-inverse that drops singular values below
 * rcond·σ_max, the minimum-norm solution for a rank-deficient X, as numpy.linalg.lstsq).
 * α is absolute, on the sums (scikit-learn's Ridge convention: ‖Y − XW‖² + α‖W‖²).
 */
import { CaptuneError } from '../errors/captune-error.js';
import { choleskySolveInPlace, choleskyWithJitter } from './cholesky.js';
import { designMoments, interceptOf, stdOf } from './design-moments.js';
import { jacobiSvd } from './jacobi-svd.js';
import type { LinearMap } from './linear-map.js';
import type { NormalEquations } from './normal-equations.js';

export type LeastSquaresSolver = 'cholesky' | 'svd';

export interface LeastSquaresOptions {
  /** Ridge strength (0: ordinary least squares). @default 0 */
  readonly alpha?: number;
  /** Fit a bias (unpenalised). @default false */
  readonly intercept?: boolean;
  /** z-score x with the data's mean and std as part of the map. @default false */
  readonly standardize?: boolean;
  /** @default 'cholesky' */
  readonly solver?: LeastSquaresSolver;
  /** SVD solver: relative cutoff of singular values. @default 1e-12 */
  readonly rcond?: number;
  /** @default 'linear-map' */
  readonly kind?: string;
  readonly wasm?: boolean;
}

export interface LeastSquaresFit {
  readonly map: LinearMap;
  /** Diagonal jitter the Cholesky solver added (0 when none was needed). */
  readonly jitter: number;
  /** Singular values dropped by the SVD solver. */
  readonly dropped: number;
}

export function solveLeastSquares(ne: NormalEquations, options: LeastSquaresOptions = {}): LeastSquaresFit {
  const alpha = options.alpha ?? 0;
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new CaptuneError(`least squares: alpha must be a finite number ≥ 0, got ${alpha}`);
  const intercept = options.intercept ?? false;
  const standardize = options.standardize ?? false;
  if (!ne.cxx) throw new CaptuneError('least squares: the normal equations hold cross products only (accumulate with products: "full")');
  const scale = standardize ? stdOf(ne) : null;
  const center = standardize ? Float64Array.from(ne.meanX) : null;
  const dm = designMoments(ne, { intercept, center, scale });
  const { dIn, dOut } = ne;
  const a = dm.xx!;
  for (let i = 0; i < dIn; i++) a[i * dIn + i]! += alpha;
  let weight: Float64Array;
  let jitter = 0;
  let dropped = 0;
  if ((options.solver ?? 'cholesky') === 'cholesky') {
    const chol = choleskyWithJitter(a, dIn, { what: 'least squares: XᵀX' + (alpha > 0 ? ' + αI' : '') });
    jitter = chol.jitter;
    weight = dm.xy;
    choleskySolveInPlace(chol.factor, dIn, weight, dOut);
  } else {
    const svd = jacobiSvd(a, dIn, dIn, { wasm: options.wasm });
    const cutoff = (options.rcond ?? 1e-12) * (svd.s[0] ?? 0);
    // W = V·S⁺·Uᵀ·XᵀY
    const t = new Float64Array(dIn * dOut); // S⁺·Uᵀ·XᵀY
    for (let k = 0; k < dIn; k++) {
      const sk = svd.s[k]!;
      if (!(sk > cutoff)) {
        dropped++;
        continue;
      }
      for (let i = 0; i < dIn; i++) {
        const uik = svd.u[i * dIn + k]! / sk;
        if (uik === 0) continue;
        for (let j = 0; j < dOut; j++) t[k * dOut + j]! += uik * dm.xy[i * dOut + j]!;
      }
    }
    weight = new Float64Array(dIn * dOut);
    for (let i = 0; i < dIn; i++) {
      for (let k = 0; k < dIn; k++) {
        const vik = svd.v[i * dIn + k]!;
        if (vik === 0) continue;
        for (let j = 0; j < dOut; j++) weight[i * dOut + j]! += vik * t[k * dOut + j]!;
      }
    }
  }
  const map: LinearMap = {
    kind: options.kind ?? 'linear-map',
    method: alpha > 0 ? 'ridge' : 'ols',
    ...(alpha > 0 ? { alpha } : {}),
    dIn,
    dOut,
    weight,
    ...(standardize ? { meanX: center!, stdX: scale! } : {}),
    ...(intercept ? { bias: interceptOf(ne, dm.meanXPrime, weight) } : {}),
  };
  return { map, jitter, dropped };
}
