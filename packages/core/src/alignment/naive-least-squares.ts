/**
 * The test oracle for the solvers, written separately and naively: explicit float64 normal
 * equations XᵀX·W = XᵀY from the whole X in memory (row by row, no shifting, no kernel), solved
 * by Gaussian elimination with partial pivoting. Slow and simple on purpose.
 */
export function naiveLeastSquares(x: ArrayLike<number>, y: ArrayLike<number>, n: number, dIn: number, dOut: number, alpha = 0): Float64Array {
  const { a, b } = naiveNormalEquations(x, y, n, dIn, dOut);
  for (let i = 0; i < dIn; i++) a[i * dIn + i]! += alpha;
  return gaussianSolve(a, b, dIn, dOut);
}

/** XᵀX [dIn, dIn] and XᵀY [dIn, dOut] by plain row-by-row loops in float64. */
export function naiveNormalEquations(x: ArrayLike<number>, y: ArrayLike<number>, n: number, dIn: number, dOut: number): { a: Float64Array; b: Float64Array } {
  const a = new Float64Array(dIn * dIn);
  const b = new Float64Array(dIn * dOut);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dIn; i++) {
      const xi = x[r * dIn + i]!;
      for (let j = 0; j < dIn; j++) a[i * dIn + j]! += xi * x[r * dIn + j]!;
      for (let j = 0; j < dOut; j++) b[i * dOut + j]! += xi * y[r * dOut + j]!;
    }
  }
  return { a, b };
}

/** Solves A·X = B ([d, d], [d, m]) by Gaussian elimination with partial pivoting; A and B are destroyed. */
export function gaussianSolve(a: Float64Array, b: Float64Array, d: number, m: number): Float64Array {
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r * d + c]!) > Math.abs(a[p * d + c]!)) p = r;
    if (a[p * d + c] === 0) throw new Error(`gaussianSolve: singular at column ${c}`);
    if (p !== c) {
      for (let k = 0; k < d; k++) [a[c * d + k], a[p * d + k]] = [a[p * d + k]!, a[c * d + k]!];
      for (let k = 0; k < m; k++) [b[c * m + k], b[p * m + k]] = [b[p * m + k]!, b[c * m + k]!];
    }
    for (let r = c + 1; r < d; r++) {
      const f = a[r * d + c]! / a[c * d + c]!;
      if (f === 0) continue;
      for (let k = c; k < d; k++) a[r * d + k]! -= f * a[c * d + k]!;
      for (let k = 0; k < m; k++) b[r * m + k]! -= f * b[c * m + k]!;
    }
  }
  const out = new Float64Array(d * m);
  for (let r = d - 1; r >= 0; r--) {
    for (let k = 0; k < m; k++) {
      let s = b[r * m + k]!;
      for (let c = r + 1; c < d; c++) s -= a[r * d + c]! * out[c * m + k]!;
      out[r * m + k] = s / a[r * d + r]!;
    }
  }
  return out;
}

/** ‖a − b‖_F / ‖b‖_F. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
