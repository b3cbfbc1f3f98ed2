/**
 * Fits a linear map from (x, y) pairs streamed in row chunks: one pass for least squares,
 * ridge and Procrustes; 1 + `iterations` passes for robust Procrustes, which re-weights rows
 * by their residual norms, w = 1 / (‖y − f(x)‖ + δ), and re-solves weighted Procrustes —
 * the formulation of SITTA's `train_external_dataset.py` (ml-jku/semantic-image-text-alignment;
 * 5 iterations, δ = 1e-3, weights entering as √w on both sides). SITTA also divides the
 * weights by their maximum; a common factor changes neither U·Vᵀ nor the scale nor the
 * weighted means, so it is skipped. z-scoring statistics come from the unweighted first pass.
 */
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import type { DesignOptions } from './design-moments.js';
import { stdOf } from './design-moments.js';
import { applyLinearMap, FIT_METHODS, type LinearMap } from './linear-map.js';
import { NormalEquationsAccumulator, type NormalEquations } from './normal-equations.js';
import { solveLeastSquares } from './solve-least-squares.js';
import { procrustesMap, solveProcrustes } from './solve-procrustes.js';

/** One chunk of training pairs: x [rows, dIn], y [rows, dOut], row-major. */
export interface RowChunk {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
}

/** Re-iterable chunks (robust Procrustes makes several passes). */
export type RowChunkSource = () => AsyncIterable<RowChunk> | Iterable<RowChunk>;

/** Residual norms ‖y − f(x)‖ of one chunk under `map` (e.g. on a backend); host float64 by default. */
export type ResidualFn = (map: LinearMap, chunk: RowChunk) => Promise<Float64Array> | Float64Array;

export const fitOptionsSchema = z.object({
  method: z.enum(FIT_METHODS),
  /** Ridge strength (ridge only; absolute, on the sums). @default 1 */
  alpha: z.number().nonnegative().default(1),
  /** Fit an (unpenalised) bias. @default false — as ReCap and SITTA (fit_intercept=False) */
  intercept: z.boolean().default(false),
  /** z-score x with the training mean and std, inside the map. @default false */
  standardize: z.boolean().default(false),
  /** Least squares solver. @default 'cholesky' */
  solver: z.enum(['cholesky', 'svd']).default('cholesky'),
  /** Procrustes: multiply by the optimal scale. @default false */
  scale: z.boolean().default(false),
  /** Robust Procrustes: re-weighting passes. @default 5 */
  iterations: z.int().min(1).max(100).default(5),
  /** Robust Procrustes: δ in w = 1/(r + δ). @default 1e-3 */
  delta: z.number().positive().default(1e-3),
  /** Free-text description stored with the map. @default 'linear-map' */
  kind: z.string().min(1).default('linear-map'),
  /** Use the WebAssembly kernel when available. @default true */
  wasm: z.boolean().default(true),
});
export type FitOptions = z.input<typeof fitOptionsSchema>;

export interface FitReport {
  readonly rows: number;
  readonly passes: number;
  readonly accumulateSeconds: number;
  readonly solveSeconds: number;
  /** Cholesky diagonal jitter (least squares). */
  readonly jitter: number;
  readonly usesWasm: boolean;
  /** Procrustes: singular values of the (last) cross-product matrix. */
  readonly singularValues?: Float64Array;
}

const now = () => performance.now() / 1000;

async function accumulate(
  source: RowChunkSource,
  dims: { dIn: number; dOut: number },
  products: 'full' | 'cross',
  wasm: boolean,
  weightsOf?: (chunk: RowChunk) => Promise<Float64Array>,
): Promise<{ ne: NormalEquations; usesWasm: boolean }> {
  const acc = new NormalEquationsAccumulator({ ...dims, products, wasm });
  for await (const chunk of source()) {
    const w = weightsOf ? await weightsOf(chunk) : undefined;
    acc.accumulate(chunk.x, chunk.y, chunk.rows, w);
  }
  return { ne: acc.finish(), usesWasm: acc.usesWasm };
}

/** Host residual norms (float64). */
export function hostResiduals(map: LinearMap, chunk: RowChunk): Float64Array {
  const pred = applyLinearMap(map, chunk.x, chunk.rows);
  const r = new Float64Array(chunk.rows);
  for (let k = 0; k < chunk.rows; k++) {
    let s = 0;
    for (let j = 0; j < map.dOut; j++) {
      const e = chunk.y[k * map.dOut + j]! - pred[k * map.dOut + j]!;
      s += e * e;
    }
    r[k] = Math.sqrt(s);
  }
  return r;
}

export async function fitLinearMap(
  source: RowChunkSource,
  dims: { dIn: number; dOut: number },
  options: FitOptions,
  hooks: { residuals?: ResidualFn } = {},
): Promise<{ map: LinearMap; report: FitReport }> {
  const parsed = fitOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaptuneError(`fit options: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const o = parsed.data;
  const procrustes = o.method === 'procrustes' || o.method === 'robust-procrustes';
  let t0 = now();
  const first = await accumulate(source, dims, procrustes ? 'cross' : 'full', o.wasm);
  let accumulateSeconds = now() - t0;
  const ne = first.ne;
  t0 = now();
  if (!procrustes) {
    const fit = solveLeastSquares(ne, {
      alpha: o.method === 'ridge' ? o.alpha : 0,
      intercept: o.intercept,
      standardize: o.standardize,
      solver: o.solver,
      kind: o.kind,
      wasm: o.wasm,
    });
    const report = { rows: ne.rows, passes: 1, accumulateSeconds, solveSeconds: now() - t0, jitter: fit.jitter, usesWasm: first.usesWasm };
    return { map: fit.map, report };
  }
  const design: DesignOptions = {
    intercept: o.intercept,
    center: o.standardize ? Float64Array.from(ne.meanX) : null,
    scale: o.standardize ? stdOf(ne) : null,
  };
  const info = { kind: o.kind, method: o.method as 'procrustes' | 'robust-procrustes', dIn: dims.dIn, dOut: dims.dOut };
  let fit = solveProcrustes(ne, design, { scale: o.scale, wasm: o.wasm });
  let solveSeconds = now() - t0;
  let passes = 1;
  if (o.method === 'robust-procrustes') {
    const residuals = hooks.residuals ?? hostResiduals;
    for (let it = 0; it < o.iterations; it++) {
      const current = procrustesMap(fit, design, info);
      t0 = now();
      const weighted = await accumulate(source, dims, 'cross', o.wasm, async (chunk) => {
        const r = await residuals(current, chunk);
        return r.map((v) => 1 / (v + o.delta));
      });
      accumulateSeconds += now() - t0;
      passes++;
      t0 = now();
      fit = solveProcrustes(weighted.ne, design, { scale: o.scale, wasm: o.wasm });
      solveSeconds += now() - t0;
    }
  }
  const map = procrustesMap(fit, design, info);
  return {
    map,
    report: { rows: ne.rows, passes, accumulateSeconds, solveSeconds, jitter: 0, usesWasm: first.usesWasm, singularValues: fit.singularValues },
  };
}
