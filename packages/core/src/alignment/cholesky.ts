/**
 * Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite float64 matrix, its
 * multi-right-hand-side solve, and the jitter fallback for (numerically) semi-definite
 * normal equations: add ε·trace(A)/n to the diagonal, ε = 1e-12, 1e-11, … until it factors,
 * and report the jitter used (as GPyTorch's `psd_safe_cholesky` does). A pivot below
 * n·2⁻⁵²·max(diag A) counts as a failure, so a rank-deficient matrix is never "factored"
 * into garbage by rounding.
 */
import { CaptuneError } from '../errors/captune-error.js';

/** Factors `a` [n, n] (row-major; only the lower triangle is read) into L in place. False if not PD. */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]!));
  const tiny = n * 2 ** -52 * maxDiag;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > tiny)) return false; // also catches NaN
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0; // clear the upper triangle
  }
  return true;
}

/** Solves L·Lᵀ·X = B in place: `b` [n, m] row-major becomes X. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array, m: number): void {
  // Forward: L·Z = B
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const bi = i * m;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k]!;
      if (lik === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bi + c]! -= lik * b[bk + c]!;
    }
    const inv = 1 / l[ri + i]!;
    for (let c = 0; c < m; c++) b[bi + c]! *= inv;
  }
  // Backward: Lᵀ·X = Z
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * m;
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i]!;
      if (lki === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bi + c]! -= lki * b[bk + c]!;
    }
    const inv = 1 / l[i * n + i]!;
    for (let c = 0; c < m; c++) b[bi + c]! *= inv;
  }
}

export interface JitteredCholesky {
  /** The factor L (lower triangle; the upper is zero). */
  readonly factor: Float64Array;
  /** What was added to the diagonal (0 when A factored as given). */
  readonly jitter: number;
}

export interface CholeskyJitterOptions {
  /** First ε tried after a plain failure (default 1e-12). */
  readonly initialEpsilon?: number;
  /** Largest ε tried (default 1). */
  readonly maxEpsilon?: number;
  /** Names the matrix in the error. */
  readonly what?: string;
}

/** Cholesky of `a` [n, n] (not modified), with growing diagonal jitter when it fails. */
export function choleskyWithJitter(a: Float64Array, n: number, options: CholeskyJitterOptions = {}): JitteredCholesky {
  const what = options.what ?? 'matrix';
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i]!;
  if (!Number.isFinite(trace)) throw new CaptuneError(`${what}: has non-finite entries, cannot factor`);
  const scale = trace / n;
  const maxEps = options.maxEpsilon ?? 1;
  let eps = 0;
  for (;;) {
    const work = a.slice();
    const jitter = eps * scale;
    if (jitter > 0) for (let i = 0; i < n; i++) work[i * n + i]! += jitter;
    if (choleskyInPlace(work, n)) return { factor: work, jitter };
    if (!(scale > 0)) throw new CaptuneError(`${what}: is zero or negative on the diagonal (trace ${trace}); is the input all zeros?`);
    eps = eps === 0 ? (options.initialEpsilon ?? 1e-12) : eps * 10;
    if (eps > maxEps) throw new CaptuneError(`${what}: not positive definite even with jitter ${maxEps}·trace/n added to the diagonal`);
  }
}
