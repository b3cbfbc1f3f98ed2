/**
 * The test oracle for orthogonal Procrustes, written separately and naively: the polar factor
 * of M = XᵀY [d, d] (naive float64 normal equations) by the scaled Newton iteration
 * Q ← ½(γ·Q + γ⁻¹·Q⁻ᵀ), γ = (‖Q⁻¹‖_F / ‖Q‖_F)^½ (Higham 1986, "Computing the polar
 * decomposition — with applications"), inverses by Gaussian elimination. It shares nothing
 * with the Jacobi SVD that `solveProcrustes` uses. Square, nonsingular M only.
 */
import { gaussianSolve, naiveNormalEquations } from './naive-least-squares.js';

/** argmin over orthogonal W of ‖X·W − Y‖_F, for x [n, d], y [n, d]. */
export function naiveProcrustes(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, options: { maxIterations?: number; tolerance?: number } = {}): Float64Array {
  const { b } = naiveNormalEquations(x, y, n, d, d);
  return polarFactor(b, d, options);
}

/** The orthogonal factor U of M = U·H (H symmetric positive definite), M [d, d] nonsingular. */
export function polarFactor(m: Float64Array, d: number, options: { maxIterations?: number; tolerance?: number } = {}): Float64Array {
  const maxIterations = options.maxIterations ?? 100;
  // Quadratic convergence: once a step changes Q by ε (relative), the error left is about ε².
  const tolerance = options.tolerance ?? 1e-9;
  let q = Float64Array.from(m);
  const frob = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  for (let it = 0; it < maxIterations; it++) {
    const identity = new Float64Array(d * d);
    for (let i = 0; i < d; i++) identity[i * d + i] = 1;
    const inv = gaussianSolve(Float64Array.from(q), identity, d, d); // Q⁻¹
    const gamma = Math.sqrt(frob(inv) / frob(q));
    const next = new Float64Array(d * d);
    let change = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const v = 0.5 * (gamma * q[i * d + j]! + inv[j * d + i]! / gamma); // Q⁻ᵀ[i, j] = Q⁻¹[j, i]
        next[i * d + j] = v;
        change += (v - q[i * d + j]!) ** 2;
      }
    }
    q = next;
    if (Math.sqrt(change) <= tolerance * frob(q)) break;
  }
  return q;
}
