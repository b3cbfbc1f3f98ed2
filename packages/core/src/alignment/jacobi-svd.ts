/**
 * Thin SVD A = U·diag(s)·Vᵀ in float64 by one-sided (Hestenes) Jacobi: plane rotations of
 * column pairs until every pair is orthogonal to working precision (Demmel & Veselić 1992,
 * "Jacobi's method is more accurate than QR"; the rotation formulas of LAPACK's dgesvj).
 * Accurate in relative terms for every singular value — unlike the eigendecomposition of
 * AᵀA, which squares the condition number. Columns are stored contiguously (A is transposed
 * on entry) so each rotation streams two rows of memory; dot products and rotations run on
 * the WebAssembly SIMD kernel of gram-kernel.ts where available.
 */
import { CaptuneError } from '../errors/captune-error.js';
import { createKernel } from './gram-kernel.js';

export interface Svd {
  /** [m, n] row-major, orthonormal columns (completed to an orthonormal set where s = 0). */
  readonly u: Float64Array;
  /** [n], descending. */
  readonly s: Float64Array;
  /** [n, n] row-major, orthogonal. */
  readonly v: Float64Array;
  readonly m: number;
  readonly n: number;
  /** Sweeps run. */
  readonly sweeps: number;
}

export interface JacobiSvdOptions {
  /** Stop after this many sweeps (default 60); throws if not converged by then. */
  readonly maxSweeps?: number;
  /** Use the WebAssembly kernel when available (default true). */
  readonly wasm?: boolean;
}

/** SVD of `a` [m, n] (row-major, not modified); needs m ≥ n (transpose the problem otherwise). */
export function jacobiSvd(a: Float64Array, m: number, n: number, options: JacobiSvdOptions = {}): Svd {
  if (m < n) throw new CaptuneError(`jacobiSvd: needs rows ≥ columns, got [${m}, ${n}] (take the SVD of the transpose)`);
  if (a.length !== m * n) throw new CaptuneError(`jacobiSvd: ${a.length} values for [${m}, ${n}]`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new CaptuneError(`jacobiSvd: entry ${i} is ${a[i]}`);
  // Rows of the kernel buffer: cols[j] = column j of A (stride ms), vt[j] = column j of V (stride ns).
  const ms = m + (m & 1);
  const ns = n + (n & 1);
  const vOffset = n * ms;
  const kernel = createKernel((vOffset + n * ns) * 8, { wasm: options.wasm });
  const buf = new Float64Array(kernel.buffer, 0, vOffset + n * ns);
  // Columns in descending norm order converge in fewer sweeps (de Rijk 1989).
  const order = Array.from({ length: n }, (_, j) => {
    let s2 = 0;
    for (let i = 0; i < m; i++) s2 += a[i * n + j]! ** 2;
    return { j, s2 };
  }).sort((x, y) => y.s2 - x.s2 || x.j - y.j);
  order.forEach(({ j }, c) => {
    for (let i = 0; i < m; i++) buf[c * ms + i] = a[i * n + j]!;
    buf[vOffset + c * ns + j] = 1;
  });
  const { dot, rot } = kernel;
  const colAt = (j: number) => j * ms * 8;
  const vAt = (j: number) => (vOffset + j * ns) * 8;
  const norms = new Float64Array(n);
  const tol = 2 ** -52 * Math.sqrt(m);
  const maxSweeps = options.maxSweeps ?? 60;
  let sweep = 0;
  for (;;) {
    if (sweep >= maxSweeps) throw new CaptuneError(`jacobiSvd: no convergence after ${maxSweeps} sweeps`);
    sweep++;
    for (let j = 0; j < n; j++) norms[j] = dot(colAt(j), colAt(j), ms);
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]!;
        const beta = norms[q]!;
        if (alpha === 0 || beta === 0) continue;
        const gamma = dot(colAt(p), colAt(q), ms);
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        rot(colAt(p), colAt(q), ms, c, sn);
        rot(vAt(p), vAt(q), ns, c, sn);
        norms[p] = alpha - t * gamma;
        norms[q] = beta + t * gamma;
      }
    }
    if (!rotated) break;
  }
  const cols = buf.subarray(0, vOffset);
  const vt = buf.subarray(vOffset);
  // Singular values and left vectors, sorted descending.
  const sv = Array.from({ length: n }, (_, j) => ({ j, s: Math.sqrt(dot(colAt(j), colAt(j), ms)) }));
  sv.sort((x, y) => y.s - x.s || x.j - y.j);
  const s = new Float64Array(n);
  const u = new Float64Array(m * n);
  const v = new Float64Array(n * n);
  const smax = sv[0]?.s ?? 0;
  const zeroBelow = smax * m * 2 ** -52;
  const ucols: Float64Array[] = [];
  const missing: number[] = [];
  sv.forEach(({ j, s: sj }, k) => {
    s[k] = sj;
    for (let i = 0; i < n; i++) v[i * n + k] = vt[j * ns + i]!;
    if (sj > zeroBelow && sj > 0) {
      const col = cols.slice(j * ms, j * ms + m).map((x) => x / sj);
      ucols[k] = col;
    } else missing.push(k);
  });
  completeOrthonormal(ucols, missing, m);
  for (let k = 0; k < n; k++) for (let i = 0; i < m; i++) u[i * n + k] = ucols[k]![i]!;
  return { u, s, v, m, n, sweeps: sweep };
}

/**
 * Fills `cols[k]` for k in `missing` with unit vectors orthogonal to all others: the first unit
 * basis vector (scanning on) whose remainder after Gram–Schmidt (twice) has norm > 0.5, else the
 * basis vector with the largest remainder (many missing columns leave few such vectors).
 */
function completeOrthonormal(cols: Float64Array[], missing: readonly number[], m: number): void {
  const remainder = (e: number) => {
    const x = new Float64Array(m);
    x[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const c of cols) {
        if (!c) continue;
        let d = 0;
        for (let i = 0; i < m; i++) d += c[i]! * x[i]!;
        for (let i = 0; i < m; i++) x[i]! -= d * c[i]!;
      }
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += x[i]! * x[i]!;
    return { x, nrm: Math.sqrt(nrm) };
  };
  let e = 0;
  for (const k of missing) {
    let best: { x: Float64Array; nrm: number } | null = null;
    for (; e < m && !(best && best.nrm > 0.5); e++) {
      const r = remainder(e);
      if (!best || r.nrm > best.nrm) best = r;
    }
    if (!best || best.nrm <= 0.5) {
      for (let f = 0; f < m; f++) {
        const r = remainder(f);
        if (!best || r.nrm > best.nrm) best = r;
      }
    }
    const { x, nrm } = best!;
    cols[k] = x.map((xi) => xi / nrm);
  }
}
